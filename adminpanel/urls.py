from django.urls import path

from adminpanel.apis import FeedbackSubmitApi

urlpatterns = [
    path("feedback/submit", FeedbackSubmitApi.as_view(), name="feedback-submit"),
]
