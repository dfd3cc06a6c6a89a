"""Forms of the registry pages: shape only (lengths, choices); the services check the rules."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from forum.registry.models import EngagementMode, ProfilePurpose, ProfileStatus
from forum.registry.services.validation import FIELDS

PURPOSE_CHOICES = [SelectChoice(p.value, p.label) for p in ProfilePurpose]
ENGAGEMENT_CHOICES = [SelectChoice(m.value, m.label) for m in EngagementMode]
# Owner inputs suggest staff emails from a <datalist> the page renders.
STAFF_LIST = {"list": "registry-staff", "autocomplete": "off"}


class ProfileForm(FlaskForm):
    platform = SelectField("Platform", validators=[DataRequired()])
    url = StringField("Address (URL)", validators=[Optional(), Length(max=500)])
    handle = StringField("Handle", validators=[Optional(), Length(max=200)])
    platform_account_id = StringField(
        "Platform's permanent account id", validators=[Optional(), Length(max=200)]
    )
    display_name = StringField("Display name", validators=[DataRequired(), Length(max=200)])
    department = SelectField("Department", validators=[DataRequired()])
    purpose = SelectField("Purpose", choices=PURPOSE_CHOICES)
    starts_on = DateField("Campaign starts on", validators=[Optional()])
    ends_on = DateField("Campaign ends on", validators=[Optional()])
    engagement_mode = SelectField("Engagement mode", choices=ENGAGEMENT_CHOICES)
    description = TextAreaField("Description", validators=[Optional(), Length(max=5000)])
    audience_size = IntegerField("Audience size", validators=[Optional(), NumberRange(min=0)])
    audience_counted_on = DateField("Audience counted on", validators=[Optional()])
    owner = StringField(
        "Owner's email", validators=[Optional(), Length(max=254)], render_kw=STAFF_LIST
    )
    backup_owner = StringField(
        "Backup owner's email", validators=[Optional(), Length(max=254)], render_kw=STAFF_LIST
    )
    review_interval_months = IntegerField(
        "Review every (months)", default=6, validators=[Optional(), NumberRange(min=1, max=36)]
    )
    credentials_note = TextAreaField(
        "Where the credentials are kept", validators=[Optional(), Length(max=2000)]
    )
    activity_note = TextAreaField("Activity note", validators=[Optional(), Length(max=2000)])

    def values(self) -> dict[str, Any]:
        """The submitted fields as the services' raw values."""
        return {name: getattr(self, name).data for name in FIELDS}


class StatusForm(FlaskForm):
    status = SelectField(
        "New status", choices=[SelectChoice(s.value, s.label) for s in ProfileStatus]
    )
    reason = TextAreaField("Reason", validators=[Optional(), Length(max=2000)])


class ReviewForm(FlaskForm):
    note = TextAreaField("Review note", validators=[Optional(), Length(max=2000)])


class LinkThreadForm(FlaskForm):
    thread = StringField("Thread address or number", validators=[DataRequired(), Length(max=500)])


class ImportForm(FlaskForm):
    file = FileField("CSV file", validators=[FileRequired()])


class ApplyImportForm(FlaskForm):
    token = StringField("Import", validators=[DataRequired(), Length(max=64)])
