"""[Network Architecture] VPC, subnets and security groups, figure by figure."""

from aws_cdk.assertions import Match


def test_vpc_cidr_and_dns(network):
    network.has_resource_properties(
        "AWS::EC2::VPC", {"CidrBlock": "10.0.0.0/16", "EnableDnsHostnames": True, "EnableDnsSupport": True}
    )


def test_public_subnet_in_the_first_az_with_public_ips(network):
    network.has_resource_properties(
        "AWS::EC2::Subnet", {"CidrBlock": "10.0.1.0/24", "AvailabilityZone": "us-east-2a", "MapPublicIpOnLaunch": True}
    )


def test_private_subnet_in_the_first_az_without_public_ips(network):
    network.has_resource_properties(
        "AWS::EC2::Subnet", {"CidrBlock": "10.0.2.0/24", "AvailabilityZone": "us-east-2a", "MapPublicIpOnLaunch": False}
    )


def test_second_pair_in_the_second_az_for_the_alb_and_rds_subnet_group(network):
    network.has_resource_properties(
        "AWS::EC2::Subnet", {"CidrBlock": "10.0.3.0/24", "AvailabilityZone": "us-east-2b", "MapPublicIpOnLaunch": True}
    )
    network.has_resource_properties(
        "AWS::EC2::Subnet", {"CidrBlock": "10.0.4.0/24", "AvailabilityZone": "us-east-2b", "MapPublicIpOnLaunch": False}
    )
    network.resource_count_is("AWS::EC2::Subnet", 4)


def test_one_internet_gateway_and_one_nat_gateway_in_the_first_public_subnet(network):
    network.resource_count_is("AWS::EC2::InternetGateway", 1)
    network.resource_count_is("AWS::EC2::NatGateway", 1)
    subnets = network.find_resources("AWS::EC2::Subnet", {"Properties": {"CidrBlock": "10.0.1.0/24"}})
    network.has_resource_properties("AWS::EC2::NatGateway", {"SubnetId": {"Ref": next(iter(subnets))}})


def test_public_routes_go_to_the_internet_gateway_and_private_routes_to_the_nat(network):
    routes = network.find_resources("AWS::EC2::Route", {"Properties": {"DestinationCidrBlock": "0.0.0.0/0"}})
    targets = sorted("GatewayId" if "GatewayId" in r["Properties"] else "NatGatewayId" for r in routes.values())
    assert targets == ["GatewayId", "GatewayId", "NatGatewayId", "NatGatewayId"]


def sg_id(template, name):
    groups = template.find_resources("AWS::EC2::SecurityGroup", {"Properties": {"GroupName": name}})
    assert len(groups) == 1, name
    return next(iter(groups))


def test_alb_security_group_allows_https_and_http_from_anywhere_only(network):
    network.has_resource_properties(
        "AWS::EC2::SecurityGroup",
        {
            "GroupName": "awsomeshop-alb-sg",
            "SecurityGroupIngress": [
                Match.object_like({"CidrIp": "0.0.0.0/0", "FromPort": 443, "ToPort": 443, "IpProtocol": "tcp"}),
                Match.object_like({"CidrIp": "0.0.0.0/0", "FromPort": 80, "ToPort": 80, "IpProtocol": "tcp"}),
            ],
        },
    )


def test_alb_security_group_talks_only_to_ecs_on_8000(network):
    alb, ecs = sg_id(network, "awsomeshop-alb-sg"), sg_id(network, "awsomeshop-ecs-sg")
    egress = network.find_resources(
        "AWS::EC2::SecurityGroupEgress", {"Properties": {"GroupId": {"Fn::GetAtt": [alb, "GroupId"]}}}
    )
    assert [(e["Properties"]["FromPort"], e["Properties"]["DestinationSecurityGroupId"]) for e in egress.values()] == [
        (8000, {"Fn::GetAtt": [ecs, "GroupId"]})
    ]
    group = network.find_resources("AWS::EC2::SecurityGroup", {"Properties": {"GroupName": "awsomeshop-alb-sg"}})
    assert "SecurityGroupEgress" not in next(iter(group.values()))["Properties"] or all(
        rule["CidrIp"] == "255.255.255.255/32"
        for rule in next(iter(group.values()))["Properties"]["SecurityGroupEgress"]
    )


def test_ecs_security_group_takes_8000_from_the_alb_only(network):
    alb, ecs = sg_id(network, "awsomeshop-alb-sg"), sg_id(network, "awsomeshop-ecs-sg")
    ingress = network.find_resources(
        "AWS::EC2::SecurityGroupIngress", {"Properties": {"GroupId": {"Fn::GetAtt": [ecs, "GroupId"]}}}
    )
    assert [(i["Properties"]["FromPort"], i["Properties"]["SourceSecurityGroupId"]) for i in ingress.values()] == [
        (8000, {"Fn::GetAtt": [alb, "GroupId"]})
    ]


def test_ecs_security_group_goes_out_on_443_anywhere_and_3306_to_rds(network):
    ecs, rds = sg_id(network, "awsomeshop-ecs-sg"), sg_id(network, "awsomeshop-rds-sg")
    network.has_resource_properties(
        "AWS::EC2::SecurityGroup",
        {
            "GroupName": "awsomeshop-ecs-sg",
            "SecurityGroupEgress": [Match.object_like({"CidrIp": "0.0.0.0/0", "FromPort": 443, "ToPort": 443})],
        },
    )
    egress = network.find_resources(
        "AWS::EC2::SecurityGroupEgress", {"Properties": {"GroupId": {"Fn::GetAtt": [ecs, "GroupId"]}}}
    )
    assert [(e["Properties"]["FromPort"], e["Properties"]["DestinationSecurityGroupId"]) for e in egress.values()] == [
        (3306, {"Fn::GetAtt": [rds, "GroupId"]})
    ]


def test_rds_security_group_takes_3306_from_ecs_and_initiates_nothing(network):
    ecs, rds = sg_id(network, "awsomeshop-ecs-sg"), sg_id(network, "awsomeshop-rds-sg")
    ingress = network.find_resources(
        "AWS::EC2::SecurityGroupIngress", {"Properties": {"GroupId": {"Fn::GetAtt": [rds, "GroupId"]}}}
    )
    assert [(i["Properties"]["FromPort"], i["Properties"]["SourceSecurityGroupId"]) for i in ingress.values()] == [
        (3306, {"Fn::GetAtt": [ecs, "GroupId"]})
    ]
    # CDK's placeholder for "no outbound": a rule that matches no traffic.
    network.has_resource_properties(
        "AWS::EC2::SecurityGroup",
        {
            "GroupName": "awsomeshop-rds-sg",
            "SecurityGroupEgress": [
                Match.object_like({"CidrIp": "255.255.255.255/32", "Description": "Disallow all traffic"})
            ],
        },
    )
    assert not network.find_resources(
        "AWS::EC2::SecurityGroupEgress", {"Properties": {"GroupId": {"Fn::GetAtt": [rds, "GroupId"]}}}
    )
