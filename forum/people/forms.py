"""Forms of the people pages: the directory's filters, one's skills and training, a
suggestion, and the admin list of skills."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from forum.people.services.skills import NAME_MAX


class CheckboxesField(SelectMultipleField):
    """A list of checkboxes: on a phone easier than a multiple select."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class DirectoryForm(FlaskForm):
    """The directory's filters, read from the query string (GET: no CSRF token)."""

    class Meta:
        csrf = False

    department = SelectField("Department", validators=[Optional()])
    role = SelectField("Role", validators=[Optional()])
    skill = SelectField("Offers the skill", validators=[Optional()])
    training = SelectField("Wants training in", validators=[Optional()])


class PicksForm(FlaskForm):
    offers = CheckboxesField("Skills I can offer", coerce=int, validators=[Optional()])
    wants = CheckboxesField("Training I would like", coerce=int, validators=[Optional()])
    submit = SubmitField("Save my skills and training")


class SuggestForm(FlaskForm):
    suggestion = StringField(
        "Suggest an entry for the list", validators=[DataRequired(), Length(max=NAME_MAX)]
    )
    submit = SubmitField("Suggest")


class SkillForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=NAME_MAX)])
    submit = SubmitField("Add to the list")


class RenameForm(FlaskForm):
    name = StringField("New name", validators=[DataRequired(), Length(max=NAME_MAX)])
    submit = SubmitField("Rename")
