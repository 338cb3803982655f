from django.urls import path, register_converter

from adminpanel import apis
from blocra.converters import RowIdConverter

# A user id that fits the 64-bit column; anything else under the path is a 404.
register_converter(RowIdConverter, "user_id")

urlpatterns = [
    path("feedback/submit", apis.FeedbackSubmitApi.as_view(), name="feedback-submit"),
    path("admin/login", apis.AdminLoginApi.as_view(), name="admin-login"),
    path("admin/dashboard", apis.AdminDashboardApi.as_view(), name="admin-dashboard"),
    path("admin/users", apis.AdminUserListApi.as_view(), name="admin-user-list"),
    path("admin/users/<user_id:pk>", apis.AdminUserDetailApi.as_view(), name="admin-user-detail"),
    path("admin/query-logs", apis.AdminQueryLogApi.as_view(), name="admin-query-logs"),
    path("admin/activity", apis.AdminActivityApi.as_view(), name="admin-activity"),
]
