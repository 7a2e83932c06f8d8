import pytest

"""[RDS MySQL Configuration, S3 Storage Configuration]."""

from aws_cdk.assertions import Match


def test_mysql_on_db_t3_micro_gp2_20gb_single_az_private_encrypted(data):
    data.has_resource_properties(
        "AWS::RDS::DBInstance",
        {
            "Engine": "mysql",
            "EngineVersion": "8.4.10",
            "DBInstanceClass": "db.t3.micro",
            "StorageType": "gp2",
            "AllocatedStorage": "20",
            "MultiAZ": False,
            "PubliclyAccessible": False,
            "StorageEncrypted": True,
            "DBName": "awsomeshop",
        },
    )


def test_backups_30_days_at_03_to_04_utc_with_tags_copied(data):
    data.has_resource_properties(
        "AWS::RDS::DBInstance",
        {"BackupRetentionPeriod": 30, "PreferredBackupWindow": "03:00-04:00", "CopyTagsToSnapshot": True},
    )


def test_maintenance_sunday_04_to_05_utc_with_minor_upgrades(data):
    data.has_resource_properties(
        "AWS::RDS::DBInstance",
        {"PreferredMaintenanceWindow": "Sun:04:00-Sun:05:00", "AutoMinorVersionUpgrade": True},
    )


def test_database_in_its_subnet_group_with_the_rds_security_group_and_default_parameter_group(data):
    data.has_resource_properties("AWS::RDS::DBSubnetGroup", {"DBSubnetGroupName": "awsomeshop-db-subnet-group"})
    instance = next(iter(data.find_resources("AWS::RDS::DBInstance").values()))["Properties"]
    assert "DBParameterGroupName" not in instance  # RDS uses default.mysql8.x
    assert "OptionGroupName" not in instance
    assert len(instance["VPCSecurityGroups"]) == 1


def test_database_password_comes_from_secrets_manager(data):
    instance = next(iter(data.find_resources("AWS::RDS::DBInstance").values()))["Properties"]
    assert "secretsmanager" in str(instance["MasterUserPassword"])
    assert instance["MasterUsername"] == "awsomeshop"


def test_an_engine_version_rds_still_offers_can_be_chosen_by_context(tmp_path):
    from aws_cdk.assertions import Template
    from conftest import app_with

    app = app_with(tmp_path, db_engine_version="8.0.42")

    Template.from_stack(app.node.find_child("AwsomeshopDataStack")).has_resource_properties(
        "AWS::RDS::DBInstance", {"EngineVersion": "8.0.42"}
    )


@pytest.mark.parametrize("version", ["8.0.35", "8.0.41", "5.7.44", "9.9.9"])
def test_an_engine_version_rds_no_longer_offers_is_refused_with_the_choices(tmp_path, version):
    from config import ConfigError
    from conftest import app_with

    with pytest.raises(ConfigError, match=f"db_engine_version {version} is not offered by RDS any more.*8\\.4\\.10"):
        app_with(tmp_path, db_engine_version=version)


def test_image_bucket_private_sse_s3_with_bucket_key_and_no_versioning(data):
    data.has_resource_properties(
        "AWS::S3::Bucket",
        {
            "BucketName": Match.object_like({"Fn::Join": ["", Match.array_with(["awsomeshop-product-images-"])]}),
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True,
                "BlockPublicPolicy": True,
                "IgnorePublicAcls": True,
                "RestrictPublicBuckets": True,
            },
            "BucketEncryption": {
                "ServerSideEncryptionConfiguration": [
                    {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": True}
                ]
            },
            "CorsConfiguration": {
                "CorsRules": [Match.object_like({"AllowedOrigins": ["https://awsomeshop.example.com"]})]
            },
        },
    )
    bucket = next(iter(data.find_resources("AWS::S3::Bucket").values()))["Properties"]
    assert "VersioningConfiguration" not in bucket
    assert "LifecycleConfiguration" not in bucket


def test_image_bucket_policy_denies_plain_http_and_grants_only_the_task_role(data):
    policy = next(iter(data.find_resources("AWS::S3::BucketPolicy").values()))["Properties"]["PolicyDocument"]
    statements = policy["Statement"]
    assert any(
        s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in statements
    )
    allows = [s for s in statements if s["Effect"] == "Allow"]
    assert {str(s["Principal"]) for s in allows} and all("EcsTaskRole" in str(s["Principal"]) for s in allows)
    assert {a for s in allows for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])} == {
        "s3:GetObject",
        "s3:PutObject",
        "s3:DeleteObject",
        "s3:ListBucket",
    }


def test_ecr_repository_keeps_its_images_immutable_and_has_no_fixed_name(data):
    (repository,) = data.find_resources("AWS::ECR::Repository").values()
    assert repository["Properties"]["ImageTagMutability"] == "IMMUTABLE"
    assert repository["Properties"]["ImageScanningConfiguration"] == {"ScanOnPush": True}
    # Kept on destroy, so a fixed name would make the next deploy fail with AlreadyExists.
    assert repository["DeletionPolicy"] == "Retain" and "RepositoryName" not in repository["Properties"]


def test_the_repository_uri_is_an_output_for_docker_push(data):
    assert "RepositoryUri" in data.find_outputs("*")
