"""Records drafted from a passage of a source, for the editors' work page (events/workbench.py):
the forms that show what the passage suggests, and the one transaction that saves what the
editor confirms, the passage cited verbatim on it.

An actor in these forms is a key: "person:<pk>", "organization:<pk>", or "new:<n>" for the
n-th name of the passage that matches no one, which the editor may make a new person, a new
organization or an alias of someone the archive knows.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from .dates import Precision
from .models import (
    Alias,
    Citation,
    Event,
    Office,
    Organization,
    Participation,
    Person,
    Sanction,
    Topic,
    country_choices,
)
from .reading import split_honorific
from .text import NormalizedCharField


class RecordKind:
    EVENT = "event"
    SANCTION = "sanction"
    OFFICE = "office"
    PARTICIPATION = "participation"
    CHOICES = [
        (EVENT, "An event"),
        (SANCTION, "A sanction"),
        (OFFICE, "An office"),
        (PARTICIPATION, "Participants of an event already recorded"),
    ]


class PassageForm(forms.Form):
    passage = NormalizedCharField(
        label="Passage",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Paste it from the text above, or select it there. Quotation marks and spaces may differ.",
    )
    kind = forms.ChoiceField(label="Make", choices=RecordKind.CHOICES, initial=RecordKind.EVENT)


class NewName:
    LEAVE = ""
    PERSON = "person"
    ORGANIZATION = "organization"
    ALIAS = "alias"
    CHOICES = [
        (LEAVE, "Leave it"),
        (PERSON, "A new person"),
        (ORGANIZATION, "A new organization"),
        (ALIAS, "Another name of someone recorded"),
    ]


# Days shown as the help text says, whatever the site's locale would make of them; typed either
# way, day first as the date filters read them.
ISO_DAY = forms.DateInput(format="%Y-%m-%d")
DAY_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


def date_fields(prefix, label, initial):
    """The three columns of a fuzzy date, as form fields named as on the model."""
    initial = initial.as_fields(prefix) if initial else {}
    return {
        f"{prefix}_precision": forms.ChoiceField(
            label=f"{label}: precision", choices=Precision.choices, initial=initial.get(f"{prefix}_precision", "unknown")
        ),
        f"{prefix}_earliest": forms.DateField(
            label=f"{label}: earliest day", required=False, initial=initial.get(f"{prefix}_earliest"),
            help_text="YYYY-MM-DD", widget=ISO_DAY, input_formats=DAY_FORMATS,
        ),
        f"{prefix}_latest": forms.DateField(
            label=f"{label}: latest day", required=False, initial=initial.get(f"{prefix}_latest"),
            help_text="YYYY-MM-DD", widget=ISO_DAY, input_formats=DAY_FORMATS,
        ),
    }


class RecordForm(forms.Form):
    """What the passage suggests for a record of `kind`, for the editor to confirm or correct.

    `actors` are (key, label) of the names known in the passage, `new_names` the names that
    match no one, `date` the passage's first resolved date (or None), `topics` the pks of the
    topics whose words appear, `events` the events one may add participants to.
    """

    passage = forms.CharField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(choices=RecordKind.CHOICES, widget=forms.HiddenInput)

    def __init__(self, *args, kind, actors, new_names, date, topics, events=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.record_kind = kind
        self.actors = actors
        self.new_names = new_names
        for index, name in enumerate(new_names):
            self.fields[f"new_{index}_action"] = forms.ChoiceField(
                label=f"“{name}”", choices=NewName.CHOICES, required=False
            )
            self.fields[f"new_{index}_organization_kind"] = forms.ChoiceField(
                label="If an organization, its kind", choices=Organization.Kind.choices, required=False,
                initial=Organization.Kind.GOVERNMENT,
            )
            self.fields[f"new_{index}_alias_of"] = forms.CharField(
                label="If another name, of whom", required=False, help_text="Their name, an alias or their slug."
            )
        every_actor = actors + [(f"new:{index}", f"{name} (new)") for index, name in enumerate(new_names)]
        if kind in (RecordKind.EVENT, RecordKind.PARTICIPATION):
            for key, label in every_actor:
                self.fields[f"role_{key}"] = forms.ChoiceField(
                    label=label,
                    choices=[("", "Not a participant"), *Participation.Role.choices],
                    required=False,
                    # Those named in a passage are suggested as mentioned in a new event; an event
                    # recorded already has its participants, so there the editor picks.
                    initial="" if key.startswith("new:") or kind == RecordKind.PARTICIPATION else Participation.Role.MENTIONED,
                )
        if kind == RecordKind.EVENT:
            self.fields["title"] = forms.CharField(max_length=300)
            self.fields["event_kind"] = forms.ChoiceField(label="Kind", choices=Event.Kind.choices)
            self.fields.update(date_fields("date", "Date", date))
            self.fields["place"] = forms.CharField(max_length=200, required=False)
            self.fields["summary"] = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
            self.fields["topics"] = forms.ModelMultipleChoiceField(
                Topic.objects.order_by("name"), required=False, widget=forms.CheckboxSelectMultiple, initial=topics
            )
            self.fields["is_published"] = forms.BooleanField(label="Publish it", required=False, initial=True)
        elif kind == RecordKind.SANCTION:
            self.fields["imposing_country"] = forms.ChoiceField(choices=country_choices)
            organizations = [(key, label) for key, label in every_actor if not key.startswith("person:")]
            self.fields["imposed_by"] = forms.ChoiceField(
                label="Imposed by", choices=[("", "Not said"), *organizations], required=False
            )
            self.fields["target"] = forms.ChoiceField(choices=every_actor)
            self.fields["measures"] = forms.CharField(max_length=300, required=False)
            self.fields["regime"] = forms.CharField(max_length=200, required=False)
            self.fields["reason"] = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
            self.fields["status"] = forms.ChoiceField(choices=Sanction.Status.choices, initial=Sanction.Status.UNKNOWN)
            self.fields.update(date_fields("announced", "Announced", date))
            self.fields["is_published"] = forms.BooleanField(label="Publish it", required=False, initial=True)
        elif kind == RecordKind.OFFICE:
            people = [(key, label) for key, label in every_actor if not key.startswith("organization:")]
            self.fields["person"] = forms.ChoiceField(label="Held by", choices=people)
            self.fields["title"] = forms.CharField(max_length=200)
            organizations = [(key, label) for key, label in every_actor if not key.startswith("person:")]
            self.fields["organization"] = forms.ChoiceField(choices=[("", "Not said"), *organizations], required=False)
            self.fields.update(date_fields("start", "Start", date))
        else:
            self.fields["event"] = forms.ModelChoiceField(events, label="Event", empty_label=None)

    def role_fields(self):
        return [self[name] for name in self.fields if name.startswith("role_")]

    def new_name_rows(self):
        return [
            (name, self[f"new_{index}_action"], self[f"new_{index}_organization_kind"], self[f"new_{index}_alias_of"])
            for index, name in enumerate(self.new_names)
        ]

    def record_fields(self):
        skip = ("role_", "new_", "passage", "kind")
        return [self[name] for name in self.fields if not name.startswith(skip)]

    def clean(self):
        data = super().clean()
        vanished = [name for name, value in self.data.items() if name.startswith("role_") and value and name not in self.fields]
        if vanished:
            # The passage is read again on confirmation: someone chosen then and not found now was
            # deleted, or renamed, since. Saving without them would drop them silently.
            raise ValidationError(
                "Someone given a role on this page is no longer recorded under a name in the passage "
                "(deleted or renamed since): check the suggestions below and confirm again."
            )
        for index, _ in enumerate(self.new_names):
            if data.get(f"new_{index}_action") == NewName.ALIAS and not data.get(f"new_{index}_alias_of", "").strip():
                self.add_error(f"new_{index}_alias_of", "Say whose other name it is.")
        chosen = {key for key in self.chosen_actor_keys(data) if key.startswith("new:")}
        for key in chosen:
            if not data.get(f"new_{key[4:]}_action"):
                self.add_error(
                    f"new_{key[4:]}_action", "This name is chosen above: say whether it is a new person, a new "
                    "organization or another name of someone recorded."
                )
        return data

    def chosen_actor_keys(self, data):
        keys = [name.removeprefix("role_") for name in self.fields if name.startswith("role_") and data.get(name)]
        keys += [data.get(name) for name in ("target", "imposed_by", "person", "organization") if data.get(name)]
        return keys


def permissions_needed(form):
    """The permissions saving `form` takes, as the admin would ask for each record it saves."""
    data = form.cleaned_data
    needed = {"events.add_citation"}
    needed |= {
        RecordKind.EVENT: {"events.add_event", "events.add_participation"},
        RecordKind.SANCTION: {"events.add_sanction"},
        RecordKind.OFFICE: {"events.add_office"},
        RecordKind.PARTICIPATION: {"events.change_event", "events.add_participation"},
    }[form.record_kind]
    for index, _ in enumerate(form.new_names):
        action = data.get(f"new_{index}_action")
        if action in (NewName.PERSON, NewName.ORGANIZATION):
            needed.add(f"events.add_{action}")
        elif action == NewName.ALIAS:
            needed.add("events.add_alias")
    return needed


def unique_slug(model, text, limit=100):
    base = slugify(text)[:limit] or model._meta.model_name
    slug, number = base, 1
    while model.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


class Refused(Exception):
    """The editor's confirmation cannot be saved: `errors` by form field, nothing saved."""

    def __init__(self, errors):
        super().__init__(errors)
        self.errors = errors


def checked(record, reason):
    """Saves `record` after its own checks, or raises Refused with them. `reason` is the line its
    history keeps for the change (django-simple-history reads `_change_reason`)."""
    try:
        record.full_clean()
    except ValidationError as error:
        raise Refused(error.message_dict) from None
    record._change_reason = reason
    record.save()
    return record


def history_line(form, source):
    """What the confirmation does, in a line for the history of each record it saves, naming
    what has no history of its own (participants, aliases)."""
    data = form.cleaned_data
    labels = dict(form.actors) | {f"new:{index}": name for index, name in enumerate(form.new_names)}
    parts = [f"Made on the work page from a passage of “{source}”"]
    roles = [
        f"{labels[name.removeprefix('role_')]} ({dict(Participation.Role.choices)[data[name]].lower()})"
        for name in form.fields
        if name.startswith("role_") and data.get(name)
    ]
    if roles:
        parts.append("participants: " + ", ".join(roles))
    for index, name in enumerate(form.new_names):
        action = data.get(f"new_{index}_action")
        if action == NewName.ALIAS:
            parts.append(f"“{name}” recorded as another name of “{data[f'new_{index}_alias_of']}”")
        elif action:
            parts.append(f"“{name}” recorded as a new {action}")
    return "; ".join(parts) + "."


def make_new_actor(form, index, name, reason):
    data = form.cleaned_data
    action = data[f"new_{index}_action"]
    if action == NewName.PERSON:
        honorific, bare = split_honorific(name)
        first, _, last = bare.rpartition(" ")
        return checked(
            Person(
                name=bare, honorific=honorific, slug=unique_slug(Person, bare),
                sort_name=f"{last}, {first}" if first else bare,
            ),
            reason,
        )
    if action == NewName.ORGANIZATION:
        kind = data[f"new_{index}_organization_kind"] or Organization.Kind.GOVERNMENT
        return checked(Organization(name=name, kind=kind, slug=unique_slug(Organization, name)), reason)
    wanted = data[f"new_{index}_alias_of"].strip()
    people = list(Person.objects.called(wanted)[:2])
    organizations = list(Organization.objects.called(wanted)[:2])
    if len(people) + len(organizations) != 1:
        problem = "No one recorded is called" if not people + organizations else "More than one is called"
        raise Refused({f"new_{index}_alias_of": [f"{problem} “{wanted}”: give their slug."]})
    owner = (people + organizations)[0]
    alias = Alias(name=name, kind=Alias.Kind.SHORT, **{owner._meta.model_name: owner})
    checked(alias, reason)
    return owner


def save_confirmed(form, source, passage):
    """Saves what the editor confirmed (see saving()), or raises Refused; a slug taken by another
    editor's save at the same moment is refused too, to be confirmed again."""
    try:
        return saving(form, source, passage)
    except IntegrityError:
        raise Refused({"__all__": ["Someone saved a record of the same name at the same moment: confirm again."]}) from None


def saving(form, source, passage):
    """Saves what the editor confirmed in `form`, with `passage` (the source's exact words) cited
    on it, in one transaction: returns the record made (or the event given participants), or
    raises Refused with nothing saved. Every record is checked as the admin checks it."""
    data = form.cleaned_data
    reason = history_line(form, source)
    with transaction.atomic():
        made = {}
        for index, name in enumerate(form.new_names):
            if data.get(f"new_{index}_action"):
                made[f"new:{index}"] = make_new_actor(form, index, name, reason)

        def actor(key):
            if key in made:
                return made[key]
            kind, _, pk = key.partition(":")
            found = {"person": Person, "organization": Organization}[kind].objects.filter(pk=pk).first()
            if found is None:
                # Deleted by someone else since the passage was read.
                raise Refused({"__all__": [f"{dict(form.actors)[key]} is no longer recorded: start again."]})
            return found

        def with_date(record, prefix):
            for column in (f"{prefix}_precision", f"{prefix}_earliest", f"{prefix}_latest"):
                setattr(record, column, data[column])
            return record

        kind = form.record_kind
        citation = Citation(source=source, quote=passage)
        if kind == RecordKind.EVENT:
            record = with_date(
                Event(
                    title=data["title"], slug=unique_slug(Event, data["title"]), kind=data["event_kind"],
                    place=data["place"], summary=data["summary"], is_published=data["is_published"],
                ),
                "date",
            )
            checked(record, reason)
            record.topics.set(data["topics"])
            citation.event = record
        elif kind == RecordKind.SANCTION:
            target = actor(data["target"])
            record = with_date(
                Sanction(
                    imposing_country=data["imposing_country"],
                    imposed_by=actor(data["imposed_by"]) if data["imposed_by"] else None,
                    measures=data["measures"], regime=data["regime"], reason=data["reason"], status=data["status"],
                    is_published=data["is_published"],
                    **{"target_person" if isinstance(target, Person) else "target_organization": target},
                ),
                "announced",
            )
            if record.imposed_by is not None and not isinstance(record.imposed_by, Organization):
                raise Refused({"imposed_by": ["A sanction is imposed by an organization: choose one."]})
            checked(record, reason)
            citation.sanction = record
        elif kind == RecordKind.OFFICE:
            holder = actor(data["person"])
            if not isinstance(holder, Person):
                raise Refused({"person": ["An office is held by a person: choose one."]})
            organization = actor(data["organization"]) if data["organization"] else None
            if organization is not None and not isinstance(organization, Organization):
                raise Refused({"organization": ["Choose an organization, or “Not said”."]})
            record = with_date(Office(person=holder, title=data["title"], organization=organization), "start")
            checked(record, reason)
            citation.office = record
        else:
            record = data["event"]
            citation.event = record
        if kind in (RecordKind.EVENT, RecordKind.PARTICIPATION):
            order = record.participations.count()
            for name in form.fields:
                if name.startswith("role_") and data.get(name):
                    order += 1
                    someone = actor(name.removeprefix("role_"))
                    checked(
                        Participation(
                            event=record, role=data[name], order=order,
                            **{"person" if isinstance(someone, Person) else "organization": someone},
                        ),
                        reason,
                    )
            if kind == RecordKind.PARTICIPATION:
                # Participants have no history of their own: their event's keeps the change, as when
                # the admin saves an event with its participants inline.
                record._change_reason = reason
                record.save()
        already_cited = kind == RecordKind.PARTICIPATION and record.citations.filter(source=source, quote=passage).exists()
        if not already_cited:
            try:
                citation.full_clean()
            except ValidationError as error:
                raise Refused({"passage": error.message_dict.get("quote", error.messages)}) from None
            citation._change_reason = reason
            citation.save()
        return record
