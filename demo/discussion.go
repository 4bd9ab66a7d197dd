package demo

import (
	"context"
	"fmt"

	"pacer/discussion"
	"pacer/modules"
	"pacer/server"
)

// seedConversation gives the demo a discussion to read: a week-2 discussion
// item, and a question on the general board that the instructor answered.
func seedConversation(s *server.Server, teacher, student, course, week2 uint64) error {
	if _, err := s.Courses.CreateItem(context.Background(), teacher, course, week2, modules.ItemInput{
		Kind:  ptr(modules.KindDiscussion),
		Title: ptr("Discuss: a statistic that misled you"),
		Body:  ptr("Think of a number in the news that turned out to mean less than it seemed. **Which summary was used, and which would have been honest?**"),
	}); err != nil {
		return fmt.Errorf("discussion item: %w", err)
	}
	boards, err := s.Discussion.Boards(context.Background(), teacher, course)
	if err != nil {
		return err
	}
	var general uint64
	for _, b := range boards {
		if b.Kind == discussion.KindGeneral {
			general = b.ID
		}
	}
	if general == 0 {
		return fmt.Errorf("the course has no general board")
	}
	th, err := s.Discussion.CreateThread(context.Background(), student, general, discussion.ThreadInput{
		Title: ptr("Median or mean for reaction times?"),
		Body:  ptr("My reaction times have a few very slow trials. Should I report the mean or the median?"),
	})
	if err != nil {
		return err
	}
	answer, err := s.Discussion.Reply(context.Background(), teacher, th.ID, discussion.ReplyInput{
		Body: ptr("Good question, @Sam Student! Reaction times are skewed, so the **median** describes a typical trial better. Report the mean too if others compare with it, and say which is which."),
	})
	if err != nil {
		return err
	}
	if _, err := s.Discussion.Reply(context.Background(), student, th.ID, discussion.ReplyInput{Body: ptr("Thanks, that makes sense."), ParentID: answer.ID}); err != nil {
		return err
	}
	return s.Discussion.SetAnswer(context.Background(), student, th.ID, answer.ID, false)
}

// seedAssignment adds a short exercise to week 2.
func seedAssignment(s *server.Server, teacher, course, week2 uint64) error {
	_, err := s.Courses.CreateItem(context.Background(), teacher, course, week2, modules.ItemInput{
		Kind:   ptr(modules.KindAssignment),
		Title:  ptr("Exercise: summarise five numbers"),
		Body:   ptr("For the values **2, 3, 4, 5 and 36**, give the mean, the median and the interquartile range, and say in one sentence which centre you would report and why."),
		Points: ptr(10.0),
	})
	return err
}
