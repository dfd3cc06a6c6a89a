"""Forms of the meet-up pages: the event itself, and an answer to it."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from forum.meetups.models import DESCRIPTION_MAX, PLACE_MAX, TITLE_MAX, URL_MAX, Answer

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


class MeetupForm(FlaskForm):
    """Times are wall-clock times in the reader's zone; the view converts them to UTC."""

    board = SelectField("Board", validators=[InputRequired(message="Pick a board.")])
    title = StringField(
        "Title", validators=[DataRequired(message="Enter a title."), Length(max=TITLE_MAX)]
    )
    description = TextAreaField(
        "What is it about? (Markdown)", validators=[Optional(), Length(max=DESCRIPTION_MAX)]
    )
    starts_at = DateTimeLocalField(
        "Starts",
        format=LOCAL_FORMAT,
        validators=[InputRequired(message="Enter a date and time.")],
    )
    ends_at = DateTimeLocalField(
        "Ends",
        format=LOCAL_FORMAT,
        validators=[InputRequired(message="Enter a date and time.")],
    )
    place = StringField("Place", validators=[Optional(), Length(max=PLACE_MAX)])
    online_url = StringField(
        "Link to join online (https)", validators=[Optional(), Length(max=URL_MAX)]
    )


class RsvpForm(FlaskForm):
    answer = SelectField(
        "Your answer",
        choices=[SelectChoice(answer.value, answer.label) for answer in Answer],
        validators=[InputRequired()],
    )
