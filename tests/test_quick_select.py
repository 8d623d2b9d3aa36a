"""The filter forms' menus (filters.QuickSelect) write the HTML Django's Select writes, without a
template per option."""

from django import forms
from django.utils.safestring import mark_safe
from hypothesis import given
from hypothesis import strategies as st

from events.filters import QuickSelect

CHOICES = [
    ("", "Any country"),
    ("GB", "United Kingdom (12)"),
    ("CN", 'China & "Taiwan" <b>'),
    ("Groups", [("eu", "European Union"), ("un", "United Nations")]),
    (7, mark_safe("Already <em>safe</em>")),
]


def test_the_menu_is_djangos_select_written_without_templates():
    for value in ("", "CN", "eu", "7", None, "not a choice"):
        attrs = {"id": "id_country", "required": True, "disabled": False, "aria-describedby": 'help "x"'}
        django = forms.Select(choices=CHOICES).render("country", value, attrs)
        quick = QuickSelect(choices=CHOICES).render("country", value, attrs)
        assert quick == django, value


def test_the_selected_option_is_marked_and_text_is_escaped():
    html = QuickSelect(choices=CHOICES).render("country", "CN", {})
    assert '<option value="CN" selected>China &amp; &quot;Taiwan&quot; &lt;b&gt;</option>' in html
    assert '<optgroup label="Groups">' in html


@given(
    choices=st.lists(st.tuples(st.text(max_size=8), st.text(max_size=12)), max_size=6),
    value=st.text(max_size=8),
)
def test_any_menu_is_written_as_django_writes_it(choices, value):
    assert QuickSelect(choices=choices).render("m", value, {"id": "id_m"}) == forms.Select(choices=choices).render(
        "m", value, {"id": "id_m"}
    )
