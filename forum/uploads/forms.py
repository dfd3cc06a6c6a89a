"""The form the composer's scripts post a dropped or pasted file with (shape checks only)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField
from wtforms.validators import Length, Optional

from forum.uploads.services import ALT_MAX


class UploadForm(FlaskForm):
    file = FileField("Image or document", validators=[FileRequired(message="Choose a file.")])
    alt = StringField("Describe the image", validators=[Optional(), Length(max=ALT_MAX)])
