"""[Network] The VPC, its subnets and the three security groups of the spec."""

from aws_cdk import CfnOutput, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_logs as logs
from constructs import Construct
from nag import accept

VPC_CIDR = "10.0.0.0/16"
# The spec's pair is in the first AZ. An ALB and an RDS subnet group need two AZs, so a second pair
# sits in the next AZ; it shares the first AZ's single NAT gateway, as the spec's cost plan wants.
SUBNETS = {
    "PublicA": ("10.0.1.0/24", 0, True),
    "PrivateA": ("10.0.2.0/24", 0, False),
    "PublicB": ("10.0.3.0/24", 1, True),
    "PrivateB": ("10.0.4.0/24", 1, False),
}
APP_PORT = 8000
MYSQL_PORT = 3306


class NetworkStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, **kwargs) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.vpc = ec2.Vpc(
            self,
            "Vpc",
            vpc_name="awsomeshop-vpc",
            ip_addresses=ec2.IpAddresses.cidr(VPC_CIDR),
            enable_dns_hostnames=True,
            enable_dns_support=True,
            subnet_configuration=[],
            nat_gateways=0,
            max_azs=2,
        )
        self._subnets_build()
        self._security_groups_build()
        # Who talked to whom, for an incident: rejected and accepted flows, kept 30 days.
        self.vpc.add_flow_log(
            "FlowLog",
            destination=ec2.FlowLogDestination.to_cloud_watch_logs(
                logs.LogGroup(self, "FlowLogs", retention=logs.RetentionDays.ONE_MONTH)
            ),
        )
        accept(self.alb_sg, ("EC23", "A public web site: 443 from anywhere, and 80 only to redirect to 443."))
        # For `aws ecs run-task` (the one-off migrate task, docs/deploy.md).
        CfnOutput(self, "PrivateSubnets", value=",".join(s.subnet_id for s in self.private_subnets))
        CfnOutput(self, "TaskSecurityGroup", value=self.ecs_sg.security_group_id)

    def _subnets_build(self) -> None:
        azs = self.availability_zones[:2]
        igw = ec2.CfnInternetGateway(self, "InternetGateway")
        attachment = ec2.CfnVPCGatewayAttachment(
            self, "InternetGatewayAttachment", vpc_id=self.vpc.vpc_id, internet_gateway_id=igw.ref
        )
        subnets = {}
        for name, (cidr, az_index, public) in SUBNETS.items():
            subnet_class = ec2.PublicSubnet if public else ec2.PrivateSubnet
            subnets[name] = subnet_class(
                self,
                name,
                vpc_id=self.vpc.vpc_id,
                cidr_block=cidr,
                availability_zone=azs[az_index],
                map_public_ip_on_launch=public,
            )
        for name in ("PublicA", "PublicB"):
            subnets[name].add_default_internet_route(igw.ref, attachment)
        nat = subnets["PublicA"].add_nat_gateway()
        for name in ("PrivateA", "PrivateB"):
            subnets[name].add_default_nat_route(nat.ref)
        self.public_subnets = [subnets["PublicA"], subnets["PublicB"]]
        self.private_subnets = [subnets["PrivateA"], subnets["PrivateB"]]
        self.nat_gateway = nat

    def _security_groups_build(self) -> None:
        def group(construct_id: str, name: str, description: str) -> ec2.SecurityGroup:
            return ec2.SecurityGroup(
                self,
                construct_id,
                vpc=self.vpc,
                security_group_name=name,
                description=description,
                allow_all_outbound=False,
            )

        self.alb_sg = group("AlbSecurityGroup", "awsomeshop-alb-sg", "AWSomeShop load balancer")
        self.ecs_sg = group("EcsSecurityGroup", "awsomeshop-ecs-sg", "AWSomeShop application tasks")
        self.rds_sg = group("RdsSecurityGroup", "awsomeshop-rds-sg", "AWSomeShop database")

        self.alb_sg.add_ingress_rule(ec2.Peer.any_ipv4(), ec2.Port.tcp(443), "HTTPS from anywhere")
        self.alb_sg.add_ingress_rule(ec2.Peer.any_ipv4(), ec2.Port.tcp(80), "HTTP from anywhere (redirects to HTTPS)")
        self.alb_sg.add_egress_rule(self.ecs_sg, ec2.Port.tcp(APP_PORT), "To the application")
        self.ecs_sg.add_ingress_rule(self.alb_sg, ec2.Port.tcp(APP_PORT), "From the load balancer")
        self.ecs_sg.add_egress_rule(ec2.Peer.any_ipv4(), ec2.Port.tcp(443), "HTTPS for AWS API calls")
        self.ecs_sg.add_egress_rule(self.rds_sg, ec2.Port.tcp(MYSQL_PORT), "To MySQL")
        self.rds_sg.add_ingress_rule(self.ecs_sg, ec2.Port.tcp(MYSQL_PORT), "MySQL from the application")
