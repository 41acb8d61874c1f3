"""Promo and access codes at booking (registrations/services/promo.py): the server prices the
seats with the code, counts its uses per seat under the event's lock from the registrations
that still hold seats, unlocks hidden ticket types, and refuses a code that cannot be used with
one message for everyone but the event's managers."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from config.exceptions import ApplicationError
from registrations.models import PromoCode, Registration
from registrations.selectors import promo_code_uses
from registrations.services import booking, promo, waitlist
from tests.factories import AdminFactory, EventFactory, TicketTypeFactory, UserFactory
from tests.registrations.test_concurrency import outcome, run_at_once

pytestmark = pytest.mark.django_db


def event_with(price="25.00", currency="EUR", capacity=20, **fields):
    event = EventFactory(currency=currency, capacity=capacity, **fields)
    standard = TicketTypeFactory(
        event=event, name="Standard", price=Decimal(price), quantity=capacity
    )
    return event, standard


def make_code(event, code="EARLY", discount_type="percent", value="20", **fields):
    types = fields.pop("ticket_types", [])
    promo_code = PromoCode.objects.create(
        event=event,
        code=code.upper(),
        discount_type=discount_type,
        discount_value=Decimal(value),
        **fields,
    )
    promo_code.ticket_types.set(types)
    return promo_code


def book(event, code="", user=None, **kwargs):
    return booking.register_for_event(
        user=user or UserFactory(), event=event, promo_code=code, **kwargs
    )


def refused(event, code, user=None, **kwargs) -> str:
    with pytest.raises(ApplicationError) as refusal:
        book(event, code, user=user, **kwargs)
    assert refusal.value.code == "validation_error"
    assert set(refusal.value.details) == {"promo_code"}
    return refusal.value.message


class TestPricing:
    def test_a_percent_code_takes_its_share_off_each_seat(self):
        event, _ = event_with("25.00")
        make_code(event, "early", "percent", "20")
        registration = book(event, "EARLY", quantity=3)
        assert registration.unit_price == Decimal("20.00")
        assert registration.total_price == Decimal("60.00")
        assert registration.discount_amount == Decimal("15.00")
        assert registration.promo_code.code == "EARLY"
        assert registration.status == "pending" and registration.expires_at is not None

    def test_codes_are_read_in_any_case_and_around_spaces(self):
        event, _ = event_with()
        make_code(event, "EARLY")
        assert book(event, "  early ").promo_code.code == "EARLY"

    def test_a_fixed_code_never_takes_the_price_below_zero(self):
        event, _ = event_with("25.00")
        make_code(event, "BIG", "fixed", "40")
        registration = book(event, "BIG", quantity=2)
        assert (registration.unit_price, registration.total_price) == (0, 0)
        assert registration.discount_amount == Decimal("50.00")

    def test_nothing_left_to_pay_confirms_at_once_with_tickets(self):
        event, _ = event_with("80.00")
        make_code(event, "SPEAKER", "percent", "100")
        registration = book(event, "SPEAKER", quantity=2)
        assert registration.status == "confirmed" and registration.is_free
        assert registration.tickets.count() == 2

    def test_nothing_left_to_pay_still_waits_for_approval_where_it_is_required(self):
        event, _ = event_with("80.00", requires_approval=True)
        make_code(event, "SPEAKER", "percent", "100")
        registration = book(event, "SPEAKER")
        assert registration.status == "pending" and registration.expires_at is None
        booking.approve_registration(registration=registration, actor=event.organizer)
        registration.refresh_from_db()
        assert registration.status == "confirmed"

    @pytest.mark.parametrize(
        "price, currency, kind, value, unit",
        [
            ("10.00", "EUR", "percent", "33.33", "6.67"),  # 6.667 rounds up
            ("10.00", "EUR", "percent", "33.35", "6.67"),  # 6.665: half up
            ("19.99", "USD", "percent", "15", "16.99"),  # 16.9915
            ("1234.00", "JPY", "percent", "10", "1111.00"),  # 1110.6 yen: no fractions of yen
            ("1000.00", "JPY", "percent", "15", "850.00"),
            ("25.00", "EUR", "fixed", "2.50", "22.50"),
            ("25.00", "EUR", "none", "0", "25.00"),
        ],
    )
    def test_the_price_is_rounded_to_the_currencys_smallest_unit(
        self, price, currency, kind, value, unit
    ):
        event, _ = event_with(price, currency=currency)
        make_code(event, "CODE", kind, value)
        assert book(event, "CODE").unit_price == Decimal(unit)

    def test_without_a_code_the_price_is_the_ticket_types(self):
        event, _ = event_with("25.00")
        registration = book(event)
        assert registration.promo_code is None
        assert (registration.unit_price, registration.discount_amount) == (Decimal("25.00"), 0)

    def test_a_code_for_some_types_prices_those_and_is_chosen_for_when_none_is_named(self):
        event, standard = event_with("25.00")
        vip = TicketTypeFactory(event=event, name="VIP", price=Decimal("90.00"), quantity=5)
        make_code(event, "VIPDEAL", "fixed", "30", ticket_types=[vip])
        registration = book(event, "VIPDEAL")
        assert registration.ticket_type == vip and registration.unit_price == Decimal("60.00")
        assert "does not apply" in refused(
            event, "VIPDEAL", user=event.organizer, ticket_type=standard
        )


class TestRefusals:
    """Every reason a code cannot be used: one 400 on `promo_code`, the same words for anyone
    but the event's managers (who are told why), and nothing booked."""

    @pytest.fixture
    def event(self):
        return event_with("25.00")[0]

    @pytest.mark.parametrize(
        "fields, why",
        [
            ({"code": "OTHER"}, "no such code"),
            ({"is_active": False}, "switched off"),
            ({"valid_from": timezone.now() + timedelta(days=1)}, "not valid yet"),
            ({"valid_until": timezone.now() - timedelta(seconds=1)}, "expired"),
            ({"max_uses": 0}, "used up"),
        ],
    )
    def test_each_reason_reads_the_same_to_buyers_and_is_named_to_managers(
        self, event, fields, why
    ):
        make_code(event, **{"code": "EARLY", **fields})
        buyer = UserFactory()
        assert refused(event, "EARLY", user=buyer) == promo.REFUSED
        assert why in refused(event, "EARLY", user=event.organizer).lower()
        assert why in refused(event, "EARLY", user=AdminFactory()).lower()
        assert not Registration.objects.filter(event=event).exists()

    def test_a_code_of_another_event_is_unknown_here(self, event):
        make_code(event_with()[0], "EARLY")
        assert refused(event, "EARLY") == promo.REFUSED

    def test_a_code_is_usable_from_its_start_until_its_end(self, event):
        start = timezone.now() + timedelta(hours=1)
        make_code(event, "WINDOW", valid_from=start, valid_until=start + timedelta(hours=2))
        with time_machine.travel(start):
            assert book(event, "WINDOW").promo_code is not None
        with time_machine.travel(start + timedelta(hours=2)):
            assert refused(event, "WINDOW") == promo.REFUSED


class TestUses:
    """`max_uses` counts seats, from the registrations that still hold them."""

    def test_it_counts_seats_and_refuses_an_order_larger_than_what_is_left(self):
        event, _ = event_with()
        code = make_code(event, "THREE", max_uses=3)
        book(event, "THREE", quantity=2)
        manager_reason = refused(event, "THREE", user=event.organizer, quantity=2)
        assert "1 use(s) left" in manager_reason
        book(event, "THREE", quantity=1)
        assert promo_code_uses(code) == 3
        assert "used up" in refused(event, "THREE", user=event.organizer)

    def test_an_expired_hold_gives_its_uses_back(self):
        event, _ = event_with()
        code = make_code(event, "ONE", max_uses=1)
        book(event, "ONE")
        assert promo_code_uses(code) == 1
        with time_machine.travel(timezone.now() + timedelta(hours=1)):
            assert promo_code_uses(code) == 0
            assert book(event, "ONE").promo_code == code

    def test_a_cancellation_gives_its_uses_back(self):
        event, _ = event_with("25.00")
        code = make_code(event, "COMP", "percent", "100", max_uses=1)
        registration = book(event, "COMP")
        booking.cancel_registration(registration=registration, actor=registration.user)
        assert promo_code_uses(code) == 0
        assert book(event, "COMP").status == "confirmed"

    def test_a_rejection_gives_its_uses_back(self):
        event, _ = event_with(requires_approval=True)
        code = make_code(event, "ONE", max_uses=1)
        registration = book(event, "ONE")
        booking.reject_registration(registration=registration, actor=event.organizer)
        assert promo_code_uses(code) == 0

    def test_a_confirmed_registration_keeps_its_uses(self):
        event, _ = event_with("25.00")
        code = make_code(event, "COMP", "percent", "100", max_uses=2)
        book(event, "COMP", quantity=2)
        with time_machine.travel(timezone.now() + timedelta(days=2)):
            assert promo_code_uses(code) == 2


class TestHiddenTicketTypes:
    @pytest.fixture
    def event(self):
        event, _ = event_with("25.00")
        return event

    @pytest.fixture
    def sponsor(self, event):
        return TicketTypeFactory(
            event=event, name="Sponsor", price=Decimal("0.00"), quantity=5, is_hidden=True
        )

    def test_a_hidden_type_cannot_be_booked_without_a_code_that_unlocks_it(self, event, sponsor):
        with pytest.raises(ApplicationError) as refusal:
            book(event, ticket_type=sponsor)
        assert refusal.value.details == {"ticket_type": ["Choose a ticket type of this event."]}
        make_code(event, "DISCOUNT", "percent", "10")  # a code that does not unlock
        with pytest.raises(ApplicationError) as refusal:
            book(event, "DISCOUNT", ticket_type=sponsor)
        assert set(refusal.value.details) == {"ticket_type"}
        assert not sponsor.registrations.exists()

    def test_nor_is_it_the_default_choice(self, event, sponsor):
        assert book(event).ticket_type.name == "Standard"  # the free hidden one is cheaper

    def test_an_access_code_unlocks_it(self, event, sponsor):
        make_code(event, "SPONSOR", "none", "0", unlocks_hidden=True, ticket_types=[sponsor])
        registration = book(event, "sponsor")
        assert registration.ticket_type == sponsor and registration.status == "confirmed"
        assert book(event, "SPONSOR", ticket_type=sponsor).ticket_type == sponsor

    def test_an_unlocking_code_for_other_types_does_not_open_this_one(self, event, sponsor):
        other = TicketTypeFactory(event=event, name="Press", quantity=5, is_hidden=True)
        make_code(event, "PRESS", "none", "0", unlocks_hidden=True, ticket_types=[other])
        with pytest.raises(ApplicationError) as refusal:
            book(event, "PRESS", ticket_type=sponsor)
        assert set(refusal.value.details) == {"ticket_type"}


class TestWaitlist:
    @pytest.fixture
    def full_event(self):
        event, _ = event_with("40.00", capacity=1)
        holder = book(event, user=UserFactory())
        return event, holder

    def test_an_offer_is_priced_with_the_code_joined_with(self, full_event):
        event, holder = full_event
        make_code(event, "HALF", "percent", "50")
        entry = waitlist.join_waitlist(user=UserFactory(), event=event, promo_code="half")
        assert entry.promo_code.code == "HALF"
        booking.cancel_registration(registration=holder, actor=holder.user)
        entry.refresh_from_db()
        assert entry.status == "offered"
        assert entry.registration.unit_price == Decimal("20.00")
        assert entry.registration.promo_code == entry.promo_code

    def test_a_code_that_lapsed_meanwhile_leaves_the_full_price(self, full_event):
        event, holder = full_event
        code = make_code(event, "HALF", "percent", "50")
        entry = waitlist.join_waitlist(user=UserFactory(), event=event, promo_code="HALF")
        PromoCode.objects.filter(pk=code.pk).update(is_active=False)
        booking.cancel_registration(registration=holder, actor=holder.user)
        entry.refresh_from_db()
        assert entry.registration.unit_price == Decimal("40.00")
        assert entry.registration.promo_code is None

    def test_joining_with_a_code_that_cannot_be_used_is_refused(self, full_event):
        event, _ = full_event
        make_code(event, "GONE", is_active=False)
        with pytest.raises(ApplicationError) as refusal:
            waitlist.join_waitlist(user=UserFactory(), event=event, promo_code="GONE")
        assert refusal.value.details == {"promo_code": [promo.REFUSED]}
        assert not event.waitlist.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_many_buyers_at_once_never_use_a_code_more_than_its_max_uses(attempt):
    """Twelve buyers race for a free code with three uses, on their own PostgreSQL connections:
    exactly three get it. Its uses are counted under the event's lock, in the transaction that
    takes the seats (without `lock_event` in `_book`, several read "2 used" at once and more
    than three are booked)."""
    event, _ = event_with("30.00", capacity=50)
    code = make_code(event, "THREE", "percent", "100", max_uses=3)
    buyers = [UserFactory() for _ in range(12)]

    results = run_at_once(12, lambda i: book(event, "THREE", user=buyers[i]))

    outcomes = sorted(outcome(result) for result in results)
    assert outcomes == ["booked"] * 3 + ["validation_error"] * 9
    assert promo_code_uses(code) == 3
    assert Registration.objects.filter(promo_code=code, status="confirmed").count() == 3


class TestMoney:
    """What a discount looks like where money is counted: the invoice has it as its own line,
    the statistics by code, and revenue is what was paid."""

    def paid_with(self, event, code, quantity=1):
        from payments import services as payments

        registration = book(event, code, quantity=quantity)
        payment, _ = payments.start_payment(
            registration=registration, user=registration.user, provider="mock"
        )
        return payments.verify_payment(payment=payment, data={"outcome": "succeeded"})

    def test_the_invoice_shows_the_discount_as_its_own_line(self, settings):
        settings.PAYMENTS_MOCK_ENABLED = True
        event, _ = event_with("25.00")
        make_code(event, "EARLY", "percent", "20")
        payment = self.paid_with(event, "EARLY", quantity=2)
        assert payment.amount == Decimal("40.00")
        seats, discount = payment.invoice.lines
        assert (seats["quantity"], seats["unit_price"], seats["amount"]) == (2, "25.00", "50.00")
        assert discount == {
            "description": "Promo code EARLY",
            "quantity": 1,
            "unit_price": "-10.00",
            "amount": "-10.00",
        }
        assert payment.invoice.total == Decimal("40.00")

    def test_an_invoice_without_a_code_has_one_line(self, settings):
        settings.PAYMENTS_MOCK_ENABLED = True
        event, _ = event_with("25.00")
        (line,) = self.paid_with(event, "").invoice.lines
        assert line["amount"] == "25.00"

    def test_statistics_count_each_codes_uses_discount_and_revenue(self, settings):
        from registrations.statistics import event_statistics

        settings.PAYMENTS_MOCK_ENABLED = True
        event, _ = event_with("25.00")
        make_code(event, "EARLY", "percent", "20")
        make_code(event, "COMP", "percent", "100")
        make_code(event, "UNUSED", "fixed", "5")
        self.paid_with(event, "EARLY", quantity=2)
        book(event, "EARLY")  # held, unpaid: a use, no discount given yet
        book(event, "COMP", quantity=3)
        statistics = event_statistics(event)
        assert statistics["by_promo_code"] == [
            {"code": "COMP", "uses": 3, "discount_total": "75.00", "revenue": "0.00"},
            {"code": "EARLY", "uses": 3, "discount_total": "10.00", "revenue": "40.00"},
            {"code": "UNUSED", "uses": 0, "discount_total": "0.00", "revenue": "0.00"},
        ]
        assert statistics["total_revenue"] == "40.00"

    def test_a_full_refund_gives_the_uses_back_and_a_partial_one_keeps_them(
        self, settings, django_capture_on_commit_callbacks
    ):
        from payments import services as payments

        settings.PAYMENTS_MOCK_ENABLED = True
        event, _ = event_with("25.00")
        code = make_code(event, "ONE", "fixed", "5", max_uses=2)
        partly = self.paid_with(event, "ONE")
        fully = self.paid_with(event, "ONE")
        assert promo_code_uses(code) == 2
        with django_capture_on_commit_callbacks(execute=True):  # the gateway after the commit
            payments.refund_payment(payment=partly, amount=Decimal("5.00"), actor=event.organizer)
            payments.refund_payment(payment=fully, actor=event.organizer)
        assert promo_code_uses(code) == 1
        assert book(event, "ONE").promo_code == code

    def test_the_organizers_dashboard_revenue_is_what_was_paid_after_discounts(self, settings):
        from payments.statistics import organizer_money

        settings.PAYMENTS_MOCK_ENABLED = True
        event, _ = event_with("25.00")
        make_code(event, "EARLY", "percent", "20")
        self.paid_with(event, "EARLY", quantity=2)
        self.paid_with(event, "")
        assert organizer_money(event.organizer)["revenue"] == {
            "EUR": {"revenue": "65.00", "refunded": "0.00"}
        }
