import pytest
from django.core.management import CommandError, call_command

from events.models import Citation, ClaimBasis, Event

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


def test_the_check_passes_every_claim_basis_in_the_fixtures(archive, capsys):
    call_command("verify_citations")
    assert "inferred or outside claims give their reasoning and quotes" in capsys.readouterr().out
    assert ClaimBasis.objects.filter(basis="inferred").exists()


def test_the_check_fails_on_an_inferred_claim_without_reasoning_or_quotes(archive, capsys):
    basis = ClaimBasis.objects.filter(basis="inferred").first()
    ClaimBasis.objects.filter(pk=basis.pk).update(reasoning="")
    basis.citations.clear()
    with pytest.raises(CommandError, match="1 of .* claim bases lack what their basis needs"):
        call_command("verify_citations")
    errors = capsys.readouterr().err
    assert f"claim basis {basis.pk} " in errors
    assert "An inferred claim needs its reasoning" in errors
    assert "An inferred claim must cite at least one quote it rests on." in errors


def test_the_check_fails_on_an_outside_claim_that_says_not_from_where(archive, capsys):
    event = Event.objects.first()
    ClaimBasis.objects.create(event=event, claim="place", basis="outside", outside_source="")
    with pytest.raises(CommandError, match="1 of .* claim bases"):
        call_command("verify_citations")
    assert "A claim from outside the documents must say where it comes from." in capsys.readouterr().err


def test_the_check_fails_on_a_claim_that_names_no_field_of_its_record(archive, capsys):
    event = Event.objects.first()
    ClaimBasis.objects.create(event=event, claim="colour", basis="outside", outside_source="A guess")
    with pytest.raises(CommandError, match="1 of .* claim bases"):
        call_command("verify_citations")
    assert "“colour” is not a field or link of an event" in capsys.readouterr().err
