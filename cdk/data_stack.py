"""[Data] RDS MySQL, the product-image bucket and the container image repository."""

import resource_values as values
from aws_cdk import Aws, CfnOutput, Duration, Fn, RemovalPolicy, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from aws_cdk import aws_rds as rds
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct
from nag import accept
from network_stack import NetworkStack

DATABASE_NAME = "awsomeshop"
DATABASE_USER = "awsomeshop"


def stack_suffix(stack: Stack) -> str:
    """A random suffix fixed at stack creation: the first block of the stack's GUID."""
    return Fn.select(0, Fn.split("-", Fn.select(2, Fn.split("/", Aws.STACK_ID))))


class DataStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        network: NetworkStack,
        db_secret: secretsmanager.ISecret,
        task_role: iam.IRole,
        db_engine_version: rds.MysqlEngineVersion,
        domain_name: str,
        **kwargs,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.database = rds.DatabaseInstance(
            self,
            "Database",
            instance_identifier="awsomeshop-db",
            # A version RDS still offers (config.DeployConfig checks it against aws-cdk-lib's list).
            engine=rds.DatabaseInstanceEngine.mysql(version=db_engine_version),
            instance_type=ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.MICRO),
            storage_type=rds.StorageType.GP2,
            allocated_storage=20,
            storage_encrypted=True,
            multi_az=False,
            availability_zone=network.private_subnets[0].subnet_availability_zone,
            publicly_accessible=False,
            vpc=network.vpc,
            vpc_subnets=ec2.SubnetSelection(subnets=network.private_subnets),
            subnet_group=rds.SubnetGroup(
                self,
                "SubnetGroup",
                subnet_group_name="awsomeshop-db-subnet-group",
                description="AWSomeShop database subnets",
                vpc=network.vpc,
                vpc_subnets=ec2.SubnetSelection(subnets=network.private_subnets),
            ),
            security_groups=[network.rds_sg],
            # The password comes from the security stack's secret, so the tasks read it there; host
            # and port are not secret and reach the tasks as plain settings.
            credentials=rds.Credentials.from_password(DATABASE_USER, db_secret.secret_value_from_json("password")),
            database_name=DATABASE_NAME,
            backup_retention=Duration.days(30),
            preferred_backup_window="03:00-04:00",
            copy_tags_to_snapshot=True,
            preferred_maintenance_window="Sun:04:00-Sun:05:00",
            auto_minor_version_upgrade=True,
            deletion_protection=True,
            removal_policy=RemovalPolicy.SNAPSHOT,
        )
        accept(
            self.database,
            ("RDS3", "The spec's single-AZ db.t3.micro; Multi-AZ doubles the cost (docs/scaling.md says when)."),
            ("RDS11", "The spec's port 3306; only the tasks' security group may reach it."),
        )
        self.image_bucket = self._image_bucket_build(task_role, domain_name)
        # No fixed name: the repository is kept when the stack is destroyed, and a fixed name would
        # make the next deploy fail with AlreadyExists. Its URI is a stack output.
        self.repository = ecr.Repository(
            self,
            "Repository",
            image_scan_on_push=True,
            # A tag names one image for good: a task replaced later runs what was deployed, and a
            # rollback to an older tag brings that image back.
            image_tag_mutability=ecr.TagMutability.IMMUTABLE,
            lifecycle_rules=[ecr.LifecycleRule(description="Keep the last 30 images", max_image_count=30)],
            removal_policy=RemovalPolicy.RETAIN,
        )
        CfnOutput(self, "RepositoryUri", value=self.repository.repository_uri)  # docker push here (docs/deploy.md)

    def _image_bucket_build(self, task_role: iam.IRole, domain_name: str) -> s3.Bucket:
        bucket = s3.Bucket(
            self,
            "ProductImages",
            bucket_name=f"{values.IMAGE_BUCKET_PREFIX}-{stack_suffix(self)}",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            bucket_key_enabled=True,
            versioned=False,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            cors=[
                s3.CorsRule(
                    allowed_methods=[s3.HttpMethods.GET, s3.HttpMethods.PUT, s3.HttpMethods.POST],
                    allowed_origins=[f"https://{domain_name}"],
                    allowed_headers=["*"],
                    max_age=3000,
                )
            ],
            removal_policy=RemovalPolicy.RETAIN,
        )
        accept(bucket, ("S1", "Private; only the app's role reads and writes it; CloudTrail records its API calls."))
        # Only the app's task role reads and writes images.
        bucket.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ArnPrincipal(task_role.role_arn)],
                actions=["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                resources=[bucket.arn_for_objects("*")],
            )
        )
        bucket.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ArnPrincipal(task_role.role_arn)],
                actions=["s3:ListBucket"],
                resources=[bucket.bucket_arn],
            )
        )
        return bucket
