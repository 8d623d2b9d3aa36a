"""Every export of the archive, byte for byte: what a researcher downloads must not change by a
single character when the exports are made faster. The files in tests/exports_as_they_were/ were
written by the exports before they were optimised; a change to the exports' shape, or to
fixtures/diplo.json, is a change to these files, made on purpose with

    DIPLO_REWRITE_EXPORTS=1 python -m pytest tests/test_export_bytes.py

and read in the diff before it is committed."""

import os
from pathlib import Path

import pytest

from events.exports import FORMATS, LISTINGS

pytestmark = pytest.mark.django_db

AS_THEY_WERE = Path(__file__).parent / "exports_as_they_were"


@pytest.mark.parametrize("format", FORMATS)
@pytest.mark.parametrize("listing", LISTINGS)
def test_every_export_of_the_archive_is_byte_for_byte_what_it_was(archive, client, listing, format):
    response = client.get(f"/export/{listing}.{format}")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    kept = AS_THEY_WERE / f"{listing}.{format}"
    if os.environ.get("DIPLO_REWRITE_EXPORTS"):
        kept.write_bytes(body)
    assert body == kept.read_bytes()


def test_the_filtered_timeline_export_is_byte_for_byte_what_it_was(archive, client):
    # A filter with an undated event and events that only may be in the period, as the page has them.
    response = client.get("/export/events.csv?date_from=2024-10&date_to=2024-10&topic=human-rights")
    body = b"".join(response.streaming_content)
    kept = AS_THEY_WERE / "events-october-2024-human-rights.csv"
    if os.environ.get("DIPLO_REWRITE_EXPORTS"):
        kept.write_bytes(body)
    assert body == kept.read_bytes()
