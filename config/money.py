"""Amounts of money in a currency: how finely each can be written."""

from decimal import ROUND_HALF_UP, Decimal

# ISO 4217 currencies without minor units (a yen has no cents). Prices are stored with two
# decimals; every other currency is rounded to those two.
ZERO_DECIMAL_CURRENCIES = frozenset(
    {
        "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG",
        "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF",
    }
)  # fmt: skip


def round_to_minor_unit(amount: Decimal, currency: str) -> Decimal:
    """`amount` rounded half up to the currency's smallest unit, written with two decimals:
    12.345 EUR -> 12.35, 1234.5 JPY -> 1235.00."""
    step = Decimal("1") if currency.upper() in ZERO_DECIMAL_CURRENCIES else Decimal("0.01")
    return amount.quantize(step, rounding=ROUND_HALF_UP).quantize(Decimal("0.01"))
