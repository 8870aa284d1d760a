"""`Idempotency-Key` for POST: the first request's response is stored with the key, in the
same transaction as the record it created; a retry with the same key and body gets that
response again and creates nothing. A retry with another body is refused (422); a retry
racing the first request waits for it on the key's unique constraint, then gets the same
answer — in no case are two records created."""

from __future__ import annotations

import hashlib
import json

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response

from servicedesk.models import IdempotencyKey

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200


class IdempotencyMismatch(APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"


def _fingerprint(request) -> str:
    body = json.dumps(request.data, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


class IdempotentCreateMixin:
    # For DRF viewsets: wraps `create` when the request carries an Idempotency-Key. (A
    # comment: the schema would take a docstring as every operation's description.)

    def create(self, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return super().create(request, *args, **kwargs)
        key = key.strip()
        if not key or len(key) > MAX_KEY_LENGTH:
            raise ValidationError(
                {HEADER: [_("The Idempotency-Key must be 1–%(n)d characters.") % {
                    "n": MAX_KEY_LENGTH}]}
            )
        fingerprint = _fingerprint(request)
        stored = IdempotencyKey.objects.filter(user=request.user, key=key).first()
        if stored is not None:
            return self._replay(stored, fingerprint)
        try:
            with transaction.atomic():
                # Claim the key first: a concurrent request with the same key waits on the
                # unique index (PostgreSQL) or the write lock (SQLite) until this
                # transaction ends, then fails with IntegrityError and replays our answer.
                claim = IdempotencyKey.objects.create(
                    user=request.user,
                    key=key,
                    method=request.method,
                    path=request.path[:300],
                    request_fingerprint=fingerprint,
                    response_status=0,
                )
                response = super().create(request, *args, **kwargs)
                if not status.is_success(response.status_code):
                    transaction.set_rollback(True)  # keep no key for a failed request
                    return response
                claim.response_status = response.status_code
                claim.response_body = response.data
                claim.save(update_fields=["response_status", "response_body"])
        except IntegrityError:
            stored = IdempotencyKey.objects.filter(user=request.user, key=key).first()
            if stored is None:
                raise
            return self._replay(stored, fingerprint)
        return response

    @staticmethod
    def _replay(stored: IdempotencyKey, fingerprint: str) -> Response:
        if stored.request_fingerprint != fingerprint:
            raise IdempotencyMismatch(
                _("This Idempotency-Key was already used for a different request.")
            )
        response = Response(stored.response_body, status=stored.response_status)
        response["Idempotent-Replayed"] = "true"
        return response
