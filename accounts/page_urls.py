from django.urls import path

from accounts.pages import email_confirm_page

# Pages outside the API, under /account/.
urlpatterns = [
    path("confirm-email", email_confirm_page, name="account-email-confirm"),
]
