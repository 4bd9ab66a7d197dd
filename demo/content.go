package demo

const courseDescription = `A gentle, self-paced introduction to statistical thinking.
Each week opens on Monday and is due a week later; work at your own pace in between.

You will learn to **describe data honestly**, to reason about **uncertainty**,
and to tell a real effect from noise. No prior statistics is assumed.`

type page struct{ title, body string }

type week struct {
	title, summary string
	pages          []page
}

var weeks = []week{
	{
		title:   "Week 1: Looking at data",
		summary: "Before any formula: what a data set is, and how to look at it.",
		pages: []page{
			{"Welcome and how this course works", `Welcome! This course runs in **weekly windows**. Each week opens a new module;
you can work through it whenever suits you before it is due.

* Read the pages in order — each one is marked done when you open it.
* Lectures count when you have actually watched them.
* If you fall behind, Pacer will nudge you. Nobody is judging; it is just a reminder.`},
			{"Variables and observations", `A data set is a table: each **row** is an observation (a person, a day, a
measurement) and each **column** a variable.

| kind | examples |
|---|---|
| categorical | eye colour, country |
| numerical | height, income, reaction time |

Always ask first: *what was measured, on whom, and how?*`},
			{"Distributions at a glance", `A **histogram** shows how often values fall in each range. Look for:

1. the centre (where most values are),
2. the spread (how far they range),
3. the shape (symmetric, skewed, several peaks),
4. outliers (values far from the rest).`},
		},
	},
	{
		title:   "Week 2: Summaries that do not lie",
		summary: "Mean, median, spread — and when each one misleads.",
		pages: []page{
			{"Mean and median", "The **mean** adds everything up and divides by the count; the **median** is the middle value.\n\nIncome data are skewed: a few very large values pull the mean up, so the median describes a *typical* person better."},
			{"Measuring spread", "The **standard deviation** is roughly the typical distance of a value from the mean. The **interquartile range** (IQR) covers the middle half of the data and, like the median, is not moved by outliers."},
		},
	},
	{
		title:   "Week 3: Uncertainty and samples",
		summary: "Why a sample tells us about a population, and how much.",
		pages: []page{
			{"Samples and populations", "We rarely see everyone. A **random sample** lets us reason about the whole population, because chance — not our choices — decides who is in it."},
			{"The standard error", "Means of repeated samples vary less than single values: the **standard error** of the mean is the standard deviation divided by the square root of the sample size."},
		},
	},
	{
		title:   "Week 4: Is it real?",
		summary: "Confidence intervals and tests, without the ritual.",
		pages: []page{
			{"Confidence intervals", "A 95 % confidence interval is a range built by a method that captures the true value in 95 % of samples. It says how precise an estimate is, which is usually more useful than a yes/no test."},
		},
	},
}
