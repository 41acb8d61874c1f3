class ListOnlyFiltersMixin:
    """Filters, search and ordering shape lists. DRF also runs them when fetching one object
    (building the filter forms on every detail request); a detail is found by its id alone."""

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)
