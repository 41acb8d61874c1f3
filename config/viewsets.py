from config.facts import Origin


class ListOnlyFiltersMixin:
    """Filters, search and ordering shape lists. DRF also runs them when fetching one object
    (building the filter forms on every detail request); a detail is found by its id alone."""

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)


class WhoAsksMixin:
    """`who()`: the actor and origin of the request, as the services take them."""

    def who(self) -> dict:
        return {"actor": self.request.user, "origin": Origin.of(self.request)}
