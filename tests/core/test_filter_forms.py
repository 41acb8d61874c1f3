"""Every list's filters say what they are. In the browsable API's filter form each has a label,
a help text and an input that fits its values (a Yes/No select for a boolean, a number box for
an id, a date and time picker for a time, one blank "Any" in a choice); in the OpenAPI schema
each query parameter has a description and its type. `search` and `ordering` are offered only
where the view has them. The lists are found in the URL conf, so a new one is checked too."""

import re
from collections import defaultdict
from datetime import timedelta
from html.parser import HTMLParser

import django_filters
import pytest
from django.core.exceptions import ImproperlyConfigured

from config.filters import FilterSet, IdFilter, StrictBooleanFilter
from tests.conftest import authenticated_client
from tests.factories import CategoryFactory, EventFactory, RegistrationFactory, SessionFactory

pytestmark = pytest.mark.django_db


def list_views() -> list[tuple[str, type]]:
    """(path, view class) of every list the URL conf routes under /api/v1/."""
    from drf_spectacular.generators import EndpointEnumerator

    return sorted(
        {
            (path, callback.cls)
            for path, _regex, method, callback in EndpointEnumerator().get_api_endpoints()
            if method == "GET"
            and path.startswith("/api/v1/")
            and (getattr(callback, "actions", None) or {}).get("get") == "list"
        },
        key=lambda row: row[0],
    )


LISTS = list_views()
FILTERED_LISTS = [(path, view) for path, view in LISTS if getattr(view, "filterset_class", None)]
# `webhooks/{id}/deliveries/` filters with DeliveryFilter inside the action, and its query
# parameters are written out in the action's `@extend_schema`, not made from the filters.
HAND_WRITTEN = {"/api/v1/webhooks/{id}/deliveries/"}


def ids(rows):
    return [path for path, _view in rows]


def test_the_lists_are_found_in_the_url_conf():
    found = set(ids(FILTERED_LISTS))
    assert {"/api/v1/events/", "/api/v1/registrations/", "/api/v1/users/"} <= found
    assert len(found) >= 15
    assert "/api/v1/categories/" in set(ids(LISTS)) - found  # a list without a filterset


# --- The browsable API's filter form. --------------------------------------------------------


class FilterForm(HTMLParser):
    """django-filter's form in a browsable API page: for each field its label, help text,
    input (tag and type) and, for a select, its options as [value, text] and the one chosen."""

    def __init__(self, page: str):
        super().__init__()
        self.labels, self.help, self.inputs, self.selected = {}, {}, {}, {}
        self.options = defaultdict(list)
        self._reading = None  # (what, field name) of the text being read
        self._select = None
        form = re.search(r"<h2>Field filters</h2>\s*<form.*?</form>", page, re.S)
        assert form, "The page has no filter form"
        self.feed(form.group(0))

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "label":
            self._reading = (self.labels, attrs["for"].removeprefix("id_"))
        elif tag == "span" and attrs.get("class") == "helptext":
            self._reading = (self.help, attrs["id"].removeprefix("id_").removesuffix("_helptext"))
        elif tag in ("input", "select"):
            self.inputs[attrs["name"]] = (tag, attrs.get("type"))
            self._select = attrs["name"]
        elif tag == "option":
            self.options[self._select].append([attrs["value"], ""])
            if "selected" in attrs:
                self.selected[self._select] = attrs["value"]
            self._reading = (self.options, self._select)

    def handle_endtag(self, tag):
        if tag in ("label", "span", "option"):
            self._reading = None

    def handle_data(self, data):
        if self._reading is None:
            return
        store, name = self._reading
        if store is self.options:
            store[name][-1][1] += data.strip()
        else:
            store[name] = store.get(name, "") + data


def filter_form(client, path: str) -> tuple[str, FilterForm]:
    response = client.get(path, HTTP_ACCEPT="text/html")
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    return page, FilterForm(page)


@pytest.fixture
def world(db):
    """A category, so that the category select has a choice to offer."""
    CategoryFactory(slug="workshop", name="Workshop")


@pytest.mark.parametrize(("path", "view"), FILTERED_LISTS, ids=ids(FILTERED_LISTS))
def test_every_filter_in_the_form_has_a_label_and_a_help_text(world, admin_client, path, view):
    page, form = filter_form(admin_client, path)

    assert "[invalid name]" not in page
    filters = view.filterset_class.base_filters
    assert set(form.inputs) == set(filters)
    for name in filters:
        assert form.labels[name].strip().rstrip(":").strip(), f"{name} has no label"
        assert form.help[name].strip(), f"{name} has no help text"
        assert "`" not in form.help[name], f"{name}: Markdown backticks shown as they are"


def expected_input(declared) -> tuple[str, str | None]:
    if isinstance(declared, django_filters.BooleanFilter):
        return ("select", None)
    if isinstance(declared, (django_filters.ChoiceFilter, django_filters.ModelChoiceFilter)):
        return ("select", None)
    if isinstance(declared, django_filters.NumberFilter):
        return ("input", "number")
    if isinstance(declared, django_filters.IsoDateTimeFilter):
        return ("input", "datetime-local")
    return ("input", "text")


@pytest.mark.parametrize(("path", "view"), FILTERED_LISTS, ids=ids(FILTERED_LISTS))
def test_every_filter_has_the_input_of_its_values(world, admin_client, path, view):
    _page, form = filter_form(admin_client, path)

    for name, declared in view.filterset_class.base_filters.items():
        assert form.inputs[name] == expected_input(declared), name
        if isinstance(declared, django_filters.BooleanFilter):
            assert form.options[name] == [["", "Unknown"], ["true", "Yes"], ["false", "No"]]
        elif form.inputs[name][0] == "select":
            values = [value for value, _text in form.options[name]]
            texts = [text for _value, text in form.options[name]]
            assert values.count("") == 1 and values[0] == "", f"{name}: one blank, first"
            assert texts[0] == "Any"
            assert len(set(texts)) == len(texts), f"{name} repeats a choice: {texts}"
            assert len(values) > 1, f"{name} offers nothing to choose"


def test_a_yes_or_no_in_any_spelling_shows_as_chosen(api_client):
    _page, form = filter_form(api_client, "/api/v1/events/?is_online=YES&upcoming=0")

    assert form.selected["is_online"] == "true"
    assert form.selected["upcoming"] == "false"
    assert form.selected["has_availability"] == ""


def test_a_boolean_filter_still_refuses_what_it_cannot_read(api_client):
    response = api_client.get("/api/v1/events/?is_online=maybe")

    assert response.status_code == 400
    assert response.json()["details"] == {"is_online": ["Use true or false."]}


def test_a_time_with_an_offset_shows_in_utc_in_the_picker(api_client):
    page, _form = filter_form(
        api_client, "/api/v1/events/?starts_after=2030-01-31T10:30:15%2B02:00"
    )

    picker = re.search(r'<input type="datetime-local" name="starts_after"[^>]*>', page)
    assert picker and 'value="2030-01-31T08:30:15"' in picker.group(0)


def test_a_time_as_the_picker_sends_it_is_accepted(api_client):
    soon = EventFactory(slug="soon")
    EventFactory(slug="later", starts_at=soon.starts_at + timedelta(days=1))
    picked = (soon.starts_at + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")

    results = api_client.get(f"/api/v1/events/?starts_after={picked}").json()["results"]

    assert [event["slug"] for event in results] == ["later"]


def test_the_schema_keeps_the_markdown_the_form_leaves_out(world, admin_client, schema):
    _, form = filter_form(admin_client, "/api/v1/events/")
    assert "(workshop)" in form.help["category"]
    assert "`workshop`" in query_parameters(schema, "/api/v1/events/")["category"]["description"]


def test_a_filter_without_a_help_text_is_refused_when_its_filterset_is_made():
    with pytest.raises(ImproperlyConfigured, match=r"Unexplained\.event needs a help_text"):

        class Unexplained(FilterSet):
            event = IdFilter(field_name="event_id")
            is_online = StrictBooleanFilter(help_text="Online events.")


# --- `search` and `ordering` where they work. ------------------------------------------------


def offered_filters(client, path: str) -> str:
    """What the browsable page's Filters dialog holds (the HTML of every filter backend)."""
    response = client.get(path, HTTP_ACCEPT="text/html")
    assert response.status_code == 200, response.content[:500]
    return response.context["filter_form"] or ""


@pytest.mark.parametrize(("path", "view"), LISTS, ids=ids(LISTS))
def test_the_browsable_page_offers_ordering_only_by_the_views_fields(admin_client, path, view):
    offered = offered_filters(admin_client, path)

    fields = getattr(view, "ordering_fields", None) or []
    assert ("<h2>Ordering</h2>" in offered) == bool(fields)
    for field in fields:
        assert f"ordering={field}" in offered


@pytest.mark.parametrize(("path", "view"), LISTS, ids=ids(LISTS))
def test_the_browsable_page_offers_search_only_where_the_view_searches(admin_client, path, view):
    offered = offered_filters(admin_client, path)

    assert ("<h2>Search</h2>" in offered) == bool(getattr(view, "search_fields", None))


def test_a_list_without_ordering_fields_keeps_its_own_order(user):
    event = EventFactory()
    for hour in range(3):
        SessionFactory(
            event=event,
            starts_at=event.starts_at + timedelta(hours=hour),
            ends_at=event.starts_at + timedelta(hours=hour + 1),
        )
    RegistrationFactory(event=event, user=user)
    client = authenticated_client(user)
    in_order = [row["session"] for row in client.get("/api/v1/progress/").json()["results"]]

    asked = client.get("/api/v1/progress/?ordering=-session").json()["results"]

    assert len(in_order) == 3
    assert [row["session"] for row in asked] == in_order


# --- The OpenAPI schema. ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from drf_spectacular.generators import SchemaGenerator

    with django_db_blocker.unblock():
        return SchemaGenerator().get_schema(request=None, public=True)


def _normalized(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{id}", path)


def query_parameters(schema, path: str) -> dict[str, dict]:
    operation = schema["paths"][_normalized(path)]["get"]
    return {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "query"}


def list_operations(schema):
    """(path, query parameters) of every GET operation that answers a list."""
    for path, operations in schema["paths"].items():
        operation = operations.get("get")
        if operation and operation["operationId"].endswith("_list"):
            yield path, query_parameters(schema, path)


def test_every_list_parameter_has_a_description_and_a_type(schema):
    lists = dict(list_operations(schema))
    assert set(ids(LISTS)) <= set(lists)
    for path, parameters in lists.items():
        if path in HAND_WRITTEN:
            continue
        for name, parameter in parameters.items():
            assert parameter.get("description", "").strip(), f"{path} {name}: no description"
            assert parameter["schema"].get("type"), f"{path} {name}: no type"


def test_the_webhook_deliveries_parameters_have_descriptions(schema):
    parameters = query_parameters(schema, "/api/v1/webhooks/{id}/deliveries/")
    for name in ("status", "type"):
        assert parameters[name].get("description", "").strip(), name


def expected_schema(declared) -> dict:
    """What a filter's parameter schema holds (a subset of it)."""
    if isinstance(declared, django_filters.BooleanFilter):
        return {"type": "boolean"}
    if isinstance(declared, IdFilter):
        return {"type": "integer", "minimum": 1}
    if isinstance(declared, django_filters.ModelChoiceFilter):
        return {"type": "string"}  # a slug: the values are rows, not listed
    if isinstance(declared, django_filters.ChoiceFilter):
        choices = declared.extra["choices"]
        values = [value for value, _label in (choices() if callable(choices) else choices)]
        kind = "integer" if all(isinstance(value, int) for value in values) else "string"
        return {"type": kind, "enum": sorted(values)}
    if isinstance(declared, django_filters.NumberFilter):
        return {"type": "number"}
    if isinstance(declared, django_filters.IsoDateTimeFilter):
        return {"type": "string", "format": "date-time"}
    return {"type": "string"}


@pytest.mark.parametrize(("path", "view"), FILTERED_LISTS, ids=ids(FILTERED_LISTS))
def test_each_filter_is_a_parameter_of_its_type_described_by_its_help(schema, path, view):
    parameters = query_parameters(schema, path)

    for name, declared in view.filterset_class.base_filters.items():
        parameter = parameters[name]
        assert parameter["description"].startswith(declared.extra["help_text"]), name
        expected = expected_schema(declared)
        actual = {key: parameter["schema"].get(key) for key in expected}
        if "enum" in actual:
            actual["enum"] = sorted(actual["enum"] or [])
        assert actual == expected, name


@pytest.mark.parametrize(("path", "view"), LISTS, ids=ids(LISTS))
def test_search_is_a_parameter_only_where_the_view_searches(schema, path, view):
    parameters = query_parameters(schema, path)
    search_fields = getattr(view, "search_fields", None)

    assert ("search" in parameters) == bool(search_fields)
    if search_fields:
        assert parameters["search"]["schema"] == {"type": "string"}


@pytest.mark.parametrize(("path", "view"), LISTS, ids=ids(LISTS))
def test_ordering_is_a_parameter_only_where_the_view_orders_listing_its_fields(schema, path, view):
    parameters = query_parameters(schema, path)
    ordering_fields = getattr(view, "ordering_fields", None)

    assert ("ordering" in parameters) == bool(ordering_fields)
    for field in ordering_fields or []:
        assert f"`{field}`" in parameters["ordering"]["description"]
