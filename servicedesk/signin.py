"""Signing in, guarded (README "Security"):

- django-axes counts failed sign-ins by username and by client address and locks either
  out for a while (settings `AXES_*`); `lockout_response` is what a locked-out client is
  told, in Chinese first: JSON under `/api/`, the sign-in page otherwise (429);
- `client_ip` is the one answer to "which address is this": REMOTE_ADDR, or the address
  the trusted proxies (`TRUSTED_PROXY_COUNT`) put into X-Forwarded-For;
- the password-reset form sends at most a few mails an hour to one address and from one
  client (`PasswordResetView`)."""

from __future__ import annotations

import hashlib
import math

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

LOCKED_OUT_STATUS = 429


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, unless `TRUSTED_PROXY_COUNT` proxies stand in
    front of the server, in which case the address the outermost of them saw."""
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies > 0 and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-min(proxies, len(hops))]
    return request.META.get("REMOTE_ADDR", "")


def lockout_message() -> str:
    minutes = max(1, math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    return _(
        "Too many failed sign-ins: this account or address is locked for %(minutes)d "
        "minutes. Try again later, or ask an administrator to unlock it."
    ) % {"minutes": minutes}


def lockout_response(request: HttpRequest, original_response=None, credentials=None
                     ) -> HttpResponse:
    """What django-axes answers a locked-out sign-in (`AXES_LOCKOUT_CALLABLE`)."""
    message = lockout_message()
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "code": "locked_out"},
                            status=LOCKED_OUT_STATUS, json_dumps_params={"ensure_ascii": False})
    # an unbound form: binding it would try (and count) the password once more
    form = AuthenticationForm(request, initial={"username": request.POST.get("username", "")})
    # rendered here: the middleware hands it back after the view's response was rendered
    return render(request, "registration/login.html",
                  {"form": form, "locked_out": message, "next": request.POST.get("next", "")},
                  status=LOCKED_OUT_STATUS)


def rate_limit_hit(key: str, *, limit: int, period_seconds: int) -> bool:
    """Count one more use of `key` within a fixed window of `period_seconds`; True when
    this use is beyond `limit` (the caller refuses it)."""
    cache.add(key, 0, timeout=period_seconds)
    try:
        used = cache.incr(key)
    except ValueError:  # the window ended between add and incr
        cache.set(key, 1, timeout=period_seconds)
        used = 1
    return used > limit


class PasswordResetView(auth_views.PasswordResetView):
    """Django's password-reset form, sending at most PASSWORD_RESET_PER_ADDRESS_PER_HOUR
    mails an hour to one address and accepting PASSWORD_RESET_PER_CLIENT_PER_HOUR requests
    an hour from one client. Over the limit the form says so (429) and sends nothing —
    whether or not the address belongs to an account, so the answer tells nothing."""

    def form_valid(self, form):
        address = form.cleaned_data["email"].strip().lower()
        digest = hashlib.sha256(address.encode()).hexdigest()
        over_client = rate_limit_hit(
            f"password-reset:client:{client_ip(self.request)}",
            limit=settings.PASSWORD_RESET_PER_CLIENT_PER_HOUR, period_seconds=3600)
        over_address = over_client or rate_limit_hit(
            f"password-reset:address:{digest}",
            limit=settings.PASSWORD_RESET_PER_ADDRESS_PER_HOUR, period_seconds=3600)
        if over_client or over_address:
            form.add_error("email", _("Too many password-reset requests; try again in an "
                                      "hour."))
            response = self.form_invalid(form)
            response.status_code = LOCKED_OUT_STATUS
            return response
        return super().form_valid(form)
