from rest_framework import serializers


class FeedbackSubmitSerializer(serializers.Serializer):
    name = serializers.CharField(min_length=1, max_length=200, trim_whitespace=True)
    feedback = serializers.CharField(min_length=1, max_length=5000, trim_whitespace=True)
    user_email = serializers.EmailField(required=False, allow_null=True, allow_blank=True, max_length=254)
