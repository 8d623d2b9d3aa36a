import pytest
from django.core.management import CommandError, call_command

from events.models import Citation

pytestmark = pytest.mark.django_db


def test_every_citation_in_the_fixtures_is_verbatim_in_its_source(archive, capsys):
    call_command("verify_citations")
    assert "citations are verbatim in their sources" in capsys.readouterr().out
    assert Citation.objects.count() > 0


def test_the_check_fails_and_names_a_quote_that_is_not_verbatim(archive, capsys):
    citation = Citation.objects.select_related("source").first()
    # An editor "tidying" curly quotes into straight ones breaks verbatim-ness.
    Citation.objects.filter(pk=citation.pk).update(quote=citation.quote + " (paraphrased)")
    with pytest.raises(CommandError, match="1 of .* citations are not verbatim"):
        call_command("verify_citations")
    assert f"citation {citation.pk} " in capsys.readouterr().err


def test_the_check_exits_non_zero_from_the_command_line(archive):
    Citation.objects.filter(pk=Citation.objects.first().pk).update(quote="Not in any source.")
    with pytest.raises(SystemExit) as exit:
        from django.core.management import ManagementUtility

        ManagementUtility(["manage.py", "verify_citations"]).execute()
    assert exit.value.code != 0
