"""The search form: a GET form, so no CSRF token; choices are set by the view."""

from __future__ import annotations

from wtforms import Form, SearchField, SelectField
from wtforms.validators import Length, Optional

from forum.search.services import MAX_QUERY_LENGTH


class SearchForm(Form):
    q = SearchField("Search for", validators=[Optional(), Length(max=MAX_QUERY_LENGTH)])
    kind = SelectField("Kind", default="")
    board = SelectField("Board", default="")
    # Checked by the service, which names the orders it knows (a clear 400 on the page).
    sort = SelectField("Sort by", default="", validate_choice=False)
