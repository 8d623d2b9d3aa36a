"""The JSON-LD of a record's page, in the <script> element search engines and reference managers read."""

from django import template

from events.citing import json_ld_script

register = template.Library()


@register.filter
def json_ld(data):
    return json_ld_script(data)
