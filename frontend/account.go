package frontend

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"pacer/api"
	"pacer/auth"
	"pacer/errs"
	"pacer/notify"
)

func (f *Frontend) mountAccount(r fiber.Router) {
	r.Get("/account", f.signedIn, f.accountPage)
	r.Post("/account", f.signedIn, f.csrf, f.updateAccount)
	r.Post("/account/password", f.signedIn, f.csrf, f.changePassword)
}

type accountPage struct {
	User      auth.PublicUser
	Profile   *Form
	Password  *Form
	Timezones []string
}

func (f *Frontend) renderAccount(c *fiber.Ctx, status int, profile, password *Form) error {
	u, err := f.Auth.User(c.UserContext(), caller(c))
	if err != nil {
		return err
	}
	if profile == nil {
		profile = NewForm(map[string]string{"name": u.Name, "timezone": u.Timezone})
	}
	if password == nil {
		password = NewForm(nil)
	}
	// Passwords are never sent back to the browser.
	for _, k := range []string{"password", "current_password"} {
		password.Values.Del(k)
	}
	return f.render(c, status, "account", accountPage{User: u.Public(), Profile: profile, Password: password, Timezones: commonZones})
}

func (f *Frontend) accountPage(c *fiber.Ctx) error {
	return f.renderAccount(c, fiber.StatusOK, nil, nil)
}

func (f *Frontend) updateAccount(c *fiber.Ctx) error {
	v, _ := readForm(c)
	form := &Form{Values: v}
	name, tz := v.Get("name"), strings.TrimSpace(v.Get("timezone"))
	if _, _, err := f.Auth.UpdateMe(c.UserContext(), caller(c), auth.Update{Name: &name, Timezone: &tz}, api.ClientIP(c)); err != nil {
		if form.fail(err, nil) {
			return f.renderAccount(c, errStatus(err), form, nil)
		}
		return err
	}
	f.flash(c, "success", "Your profile is saved.")
	return f.redirect(c, "/account")
}

// changePassword changes the password, which ends every sign-in of the
// account, this browser's included; the browser is then signed in again
// with the new password so the person carries on where they were.
func (f *Frontend) changePassword(c *fiber.Ctx) error {
	v, _ := readForm(c)
	form := &Form{Values: v, Errors: map[string]string{}}
	current, next := v.Get("current_password"), v.Get("password")
	if next != v.Get("confirm") {
		form.Errors["confirm"] = "The two new passwords are not the same."
	}
	if current == "" {
		form.Errors["current_password"] = "Enter your current password."
	}
	if len(form.Errors) > 0 {
		form.Values.Del("confirm")
		return f.renderAccount(c, fiber.StatusBadRequest, nil, form)
	}
	u, changed, err := f.Auth.UpdateMe(c.UserContext(), caller(c), auth.Update{Password: &next, CurrentPassword: &current}, api.ClientIP(c))
	if err != nil {
		if form.fail(err, nil) {
			form.Values.Del("confirm")
			return f.renderAccount(c, errStatus(err), nil, form)
		}
		return err
	}
	if changed {
		t, _, err := f.Auth.Login(c.UserContext(), u.Email, next)
		if err != nil {
			f.AuthHTTP.ClearCookies(c)
			return f.redirect(c, "/signin")
		}
		f.AuthHTTP.SetCookies(c, t)
	}
	f.flash(c, "success", "Password changed. Every other device has been signed out.")
	return f.redirect(c, "/account")
}

func (f *Frontend) mountNotifications(r fiber.Router) {
	r.Get("/notifications", f.signedIn, f.notificationsPage)
	r.Post("/notifications/read", f.signedIn, f.csrf, f.markNotificationsRead)
}

// NotificationRow is a notification with its link checked: only links into
// Pacer are shown as links.
type NotificationRow struct {
	notify.Notification
	Href string
}

type notificationsPage struct {
	Items  []NotificationRow
	Unread int
	More   string
	Loc    *time.Location
}

func (f *Frontend) notificationsPage(c *fiber.Ctx) error {
	p, err := api.ParsePage(c)
	if err != nil {
		return err
	}
	list, err := f.Notify.List(c.UserContext(), caller(c), p)
	if err != nil {
		return err
	}
	out := notificationsPage{Unread: list.Unread, Loc: userLoc(c)}
	for _, n := range list.Items {
		out.Items = append(out.Items, NotificationRow{Notification: n, Href: safeNext(n.Link)})
	}
	if list.NextCursor != "" {
		out.More = "/notifications?cursor=" + list.NextCursor
	}
	return f.render(c, fiber.StatusOK, "notifications", out)
}

func (f *Frontend) markNotificationsRead(c *fiber.Ctx) error {
	if err := f.Notify.MarkRead(c.UserContext(), caller(c), nil, true); err != nil {
		return errs.Wrap(err, "mark read")
	}
	f.flash(c, "success", "All notifications are marked read.")
	return f.redirect(c, "/notifications")
}
