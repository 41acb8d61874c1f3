from rest_framework.renderers import JSONRenderer


class FileResponsesMixin:
    """For views whose actions answer files (text/calendar, text/csv, image/png, ...): those
    actions skip content negotiation, so a client that accepts only the file's type is not
    refused with 406, and their errors are JSON like every other error. The actions return a
    plain Django `HttpResponse` with the file."""

    file_actions: tuple[str, ...] = ()

    def perform_content_negotiation(self, request, force=False):
        if self.action in self.file_actions:
            return JSONRenderer(), JSONRenderer.media_type
        return super().perform_content_negotiation(request, force)
