"""Forms for signing in, invitations, passwords, settings and admin pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from forum.accounts.models import Department, EmailPreference, Role
from forum.core.clock import time_zone_names

ROLE_CHOICES = [SelectChoice(r.value, r.label) for r in Role]


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])
    remember = BooleanField("Keep me signed in on this device for 30 days")


class SignUpForm(FlaskForm):
    email = EmailField("Work email", validators=[DataRequired(), Email(), Length(max=254)])
    display_name = StringField("Your name", validators=[DataRequired(), Length(max=120)])
    department = SelectField("Department", coerce=str, validators=[Optional()])
    password = PasswordField("Password", validators=[DataRequired(), Length(min=10, max=1024)])


class AcceptInvitationForm(FlaskForm):
    display_name = StringField("Your name", validators=[DataRequired(), Length(max=120)])
    password = PasswordField("Password", validators=[DataRequired(), Length(min=10, max=1024)])


class ForgotPasswordForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])


class ResetPasswordForm(FlaskForm):
    password = PasswordField("New password", validators=[DataRequired(), Length(min=10, max=1024)])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired()])
    new_password = PasswordField(
        "New password", validators=[DataRequired(), Length(min=10, max=1024)]
    )


class ProfileForm(FlaskForm):
    display_name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    email_preference = SelectField(
        "Email me notifications",
        choices=[
            SelectChoice(EmailPreference.IMMEDIATELY.value, "Immediately"),
            SelectChoice(EmailPreference.DAILY.value, "In a daily digest"),
            SelectChoice(EmailPreference.OFF.value, "Never"),
        ],
    )
    time_zone = SelectField("Show times in", validate_choice=False)

    def offer_time_zones(self, organization_zone: str) -> None:
        self.time_zone.choices = [
            SelectChoice("", f"The organization's time zone ({organization_zone})"),
            *(SelectChoice(name, name.replace("_", " ")) for name in time_zone_names()),
        ]


class AwayForm(FlaskForm):
    away_from = DateField("Away from", validators=[Optional()])
    away_until = DateField("Away until", validators=[Optional()])
    cover = SelectField("Colleague who covers for me", coerce=str, validators=[Optional()])


class ApiTokenForm(FlaskForm):
    name = StringField("Token name", validators=[DataRequired(), Length(max=100)])


class InviteForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField("Role", choices=ROLE_CHOICES, default=Role.MEMBER.value)
    department = SelectField("Department", coerce=str, validators=[Optional()])


class AdminUserForm(FlaskForm):
    role = SelectField("Role", choices=ROLE_CHOICES)
    department = SelectField("Department", coerce=str, validators=[Optional()])
    is_active = BooleanField("Active (can sign in)")


class DepartmentForm(FlaskForm):
    slug = StringField(
        "Slug",
        validators=[
            DataRequired(),
            Length(max=64),
            Regexp(
                r"^[a-z0-9]+(?:-[a-z0-9]+)*$", message="Use lower-case letters, digits and hyphens."
            ),
        ],
    )
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])


class DepartmentRenameForm(FlaskForm):
    name = StringField("New name", validators=[DataRequired(), Length(max=200)])


def department_choices(
    departments: list[Department], blank: str = "No department"
) -> list[SelectChoice]:
    """The department select's options: `blank` (no department), then each by name."""
    return [SelectChoice("", blank)] + [SelectChoice(d.slug, d.name) for d in departments]


class TwoFactorCodeForm(FlaskForm):
    code = StringField(
        "Code from your authenticator app, or a recovery code",
        validators=[DataRequired(), Length(max=32)],
        render_kw={"autocomplete": "one-time-code", "autocapitalize": "none"},
    )


class TwoFactorConfirmForm(FlaskForm):
    code = StringField(
        "The 6-digit code your app shows",
        validators=[DataRequired(), Length(max=32)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class TwoFactorDisableForm(FlaskForm):
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])
    code = StringField(
        "Code from your app, or a recovery code",
        validators=[DataRequired(), Length(max=32)],
        render_kw={"autocomplete": "one-time-code"},
    )


class TwoFactorPolicyForm(FlaskForm):
    required = BooleanField("Seniors and admins must use two-factor sign-in")


class AuditFilterForm(FlaskForm):
    """The audit page's filters: sent by GET, so no CSRF token (nothing changes)."""

    class Meta:
        csrf = False

    action = SelectField("Action", validators=[Optional()])
    actor = StringField("Actor (email or id)", validators=[Optional(), Length(max=254)])
    subject = StringField(
        "Subject (email, or type:id such as post:12)", validators=[Optional(), Length(max=254)]
    )
    since = DateField("From", validators=[Optional()])
    until = DateField("Until", validators=[Optional()])
