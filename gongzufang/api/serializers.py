from rest_framework import serializers

from gongzufang.models import Community, District, PolicyParameter, Street
from gongzufang.parameters import PARAMETERS


class CommunitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Community
        fields = ["code", "name"]


class StreetSerializer(serializers.ModelSerializer):
    communities = CommunitySerializer(many=True, read_only=True)

    class Meta:
        model = Street
        fields = ["code", "name", "is_town", "communities"]


class DistrictSerializer(serializers.ModelSerializer):
    streets = StreetSerializer(many=True, read_only=True)

    class Meta:
        model = District
        fields = ["id", "code", "name", "is_county", "streets"]


class PolicyParameterSerializer(serializers.ModelSerializer):
    district = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True, help_text="区县代码；为空表示全市通用"
    )
    label = serializers.SerializerMethodField()
    unit = serializers.SerializerMethodField()

    class Meta:
        model = PolicyParameter
        fields = ["id", "key", "label", "value", "unit", "effective_from", "district", "legal_source"]

    def get_label(self, obj) -> str:
        d = PARAMETERS.get(obj.key)
        return d.label if d else ""

    def get_unit(self, obj) -> str:
        d = PARAMETERS.get(obj.key)
        return d.unit if d else ""
