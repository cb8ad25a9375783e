from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("messages/", views.message_list, name="messages"),
    path("messages/<int:message_pk>/", views.message_detail, name="message_detail"),
]
