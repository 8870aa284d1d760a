from django.urls import path

from tickets import views

app_name = "tickets"

urlpatterns = [
    path("incoming/", views.incoming_call, name="incoming"),
    path("customers/new/", views.customer_create_view, name="customer-create"),
]
