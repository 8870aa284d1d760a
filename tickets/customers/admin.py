"""Admin for customers. Phone and ID numbers are masked for administrators without the
personal-data permission; saving goes through the customer services."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from servicedesk.presenters import can_see_personal_data, mask_id_number, mask_phone, phone_for
from tickets.customers.models import Customer
from tickets.customers.services import (
    customer_create,
    customer_update,
    customer_values_clean,
)
from tickets.customers.validators import id_number_normalize, phone_normalize


class CustomerAdminForm(forms.ModelForm):
    class Meta:
        model = Customer
        fields = ["name", "phone", "id_number", "company", "notes"]

    def clean_phone(self) -> str:
        return phone_normalize(self.cleaned_data["phone"])

    def clean_id_number(self) -> str:
        return id_number_normalize(self.cleaned_data.get("id_number", ""))

    def clean(self) -> dict:
        """The services' own rules (visible name, text caps and cleaning, a unique ID
        number) as field errors, instead of a refusal only when saving."""
        cleaned = super().clean() or {}
        values = {field: cleaned[field] for field in self.fields if field in cleaned}
        cleaned.update(customer_values_clean(values=values, exclude_pk=self.instance.pk))
        return cleaned


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    form = CustomerAdminForm
    search_fields = ["code", "name", "phone"]
    list_select_related = ["created_by"]
    date_hierarchy = "created_at"

    def get_list_display(self, request):
        @admin.display(description=_("phone"), ordering="phone")
        def phone_shown(customer: Customer) -> str:
            return phone_for(request.user, customer.phone)

        return ["code", "name", phone_shown, "company", "created_by", "created_at"]

    def get_fields(self, request, obj=None):
        personal = ["phone", "id_number"]
        if obj is not None and not can_see_personal_data(request.user):
            personal = ["phone_masked", "id_number_masked"]
        head = ["code"] if obj is not None else []
        tail = ["created_by", "created_at", "updated_at"] if obj is not None else []
        return [*head, "name", *personal, "company", "notes", *tail]

    def get_readonly_fields(self, request, obj=None):
        return ["code", "phone_masked", "id_number_masked", "created_by", "created_at",
                "updated_at"]

    @admin.display(description=_("phone"))
    def phone_masked(self, customer: Customer) -> str:
        return mask_phone(customer.phone)

    @admin.display(description=_("resident ID number"))
    def id_number_masked(self, customer: Customer) -> str:
        return mask_id_number(customer.id_number)

    def get_search_results(self, request, queryset, search_term):
        """A phone number finds its customer however it is typed (+86, spaces, dashes)."""
        results, may_have_duplicates = super().get_search_results(
            request, queryset, search_term
        )
        try:
            phone = phone_normalize(search_term)
        except ValidationError:
            return results, may_have_duplicates
        return results | queryset.filter(phone=phone), may_have_duplicates

    def save_model(self, request, obj, form, change):
        # The form has already copied its values onto `obj`; the services work from the
        # stored row so that they see (and validate) what changes.
        if change:
            values = {field: form.cleaned_data[field] for field in form.changed_data
                      if field in form.cleaned_data}
            saved = customer_update(
                customer=Customer.objects.get(pk=obj.pk), by=request.user, **values
            )
        else:
            saved = customer_create(
                by=request.user,
                **{field: form.cleaned_data.get(field, "") for field in form.Meta.fields},
            )
        vars(obj).update(vars(saved))

