from rest_framework import serializers

from ..models import Agreement, Project


class AgreementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Agreement
        fields = ["id", "code", "name", "region", "status", "signed_on", "valid_from", "valid_until"]


class ProjectSerializer(serializers.ModelSerializer):
    class Meta:
        model = Project
        fields = ["id", "agreement", "code", "title", "summary", "status", "priority", "methods",
                  "lead_organisation", "start_date", "end_date", "is_coordination_project", "eura_code"]
