"""Forms of the insights pages: the date range picker and the strategy editor."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import Form
from wtforms.fields import (
    DateField,
    FieldList,
    FloatField,
    FormField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from forum.insights.models import GOAL_TITLE_MAX, MAX_GOALS, VISION_MAX, Comparison


class RangeForm(FlaskForm):
    """The GET form above the dashboard: plain date inputs, no script needed."""

    class Meta:
        csrf = False

    start = DateField("From", name="from", validators=[Optional()])
    end = DateField("To", name="to", validators=[Optional()])
    # Choices come from the database in the view; the service checks the slug.
    department = SelectField("Department", validators=[Optional()], validate_choice=False)


class GoalForm(Form):
    """One goal row; a row with no title is left out, a titled row needs everything."""

    title = StringField("Goal", validators=[Optional(), Length(max=GOAL_TITLE_MAX)])
    metric_key = SelectField("Measured by", validators=[Optional()])
    comparison = SelectField("Target is", validators=[Optional()])
    target = FloatField("Target value", validators=[Optional()])
    revisit_on = DateField("Revisit by", validators=[Optional()])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from forum.insights.metrics import METRICS

        self.metric_key.choices = [(m.key, f"{m.label} ({m.unit})") for m in METRICS.values()]
        self.comparison.choices = [(c.value, c.label) for c in Comparison]

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        if not (self.title.data or "").strip():
            return ok
        for name in ("target", "revisit_on"):
            field = getattr(self, name)
            if field.data is None:
                field.errors = [*field.errors, "Needed for a goal."]
                ok = False
        return ok


class StrategyForm(FlaskForm):
    vision = TextAreaField("Vision", validators=[DataRequired(), Length(max=VISION_MAX)])
    goals = FieldList(FormField(GoalForm), min_entries=MAX_GOALS, max_entries=MAX_GOALS)
    submit = SubmitField("Save as a new version")
