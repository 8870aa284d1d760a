"""Everything under `/api/` answers JSON, also where Django, not DRF, answers: an unknown
route (404), a request body over `DATA_UPLOAD_MAX_MEMORY_SIZE` (413, checked before any view
reads it: DRF's parsers read the stream and would not notice), and a request Django itself
refuses as malformed (400). Pages keep Django's HTML answers.

A query parameter under `/api/` is given a value or left out: `?created_before=` is a 400
naming the parameter, before any view runs, where Django's forms and DRF's pagination would
quietly read it as "no filter" (the schema says the same: no parameter allows an empty
value, and every string parameter has `minLength: 1`, see servicedesk.api.schema). The
pages' forms, which send their empty fields, are not under `/api/`."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

API_PREFIX = "/api/"


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def _too_big() -> JsonResponse:
    return JsonResponse(
        {"detail": _("The request body is too large (at most %(size)d bytes).")
         % {"size": settings.DATA_UPLOAD_MAX_MEMORY_SIZE},
         "code": "request_too_large"},
        status=413,
    )


class ApiJsonErrorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _is_api(request):
            return self.get_response(request)
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit is not None and length > limit:
            return _too_big()
        empty = sorted({name for name, values in request.GET.lists() if "" in values})
        if empty:
            return JsonResponse(
                {name: [_("Give this parameter a value, or leave it out.")] for name in empty},
                status=400)
        response = self.get_response(request)
        if getattr(response, "accepted_renderer", None) is not None:
            return response  # DRF's own answer, in the format the client negotiated
        if response.status_code == 404:
            return JsonResponse({"detail": _("There is no such address in the API."),
                                 "code": "not_found"}, status=404)
        if response.status_code == 400:
            return JsonResponse({"detail": _("The request could not be read."),
                                 "code": "bad_request"}, status=400)
        return response

    def process_exception(
        self, request: HttpRequest, exception: Exception
    ) -> HttpResponse | None:
        if _is_api(request) and isinstance(exception, RequestDataTooBig):
            return _too_big()
        return None
