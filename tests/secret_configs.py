"""Configurations of every platform with planted secrets, shared by the secret-leak tests.

Each entry is (platform, config text, planted secrets). A test passes only if none of the planted
secrets survives redaction anywhere.
"""

from __future__ import annotations

PLANTED: dict[str, tuple[str, tuple[str, ...]]] = {
    "cisco_ios": (
        """hostname core-sw1
service password-encryption
enable secret 9 $9$nhEmQVczB7dqsO$X.HsgL6x1il0RxkOSSvyQYwucySCt7qFm4v7pqCxkKM
enable password 7 0822455D0A16
username admin privilege 15 secret 5 $1$mERr$hx5rVt7rPNoS4wqbXKX7m0
username ops password 7 060506324F41
username plain password 0 CiscoPlainPw1
snmp-server community CityRoComm1 RO 10
snmp-server community CityRwComm2 RW
snmp-server user nms NMSGROUP v3 auth sha CiscoAuthKey9 priv aes 128 CiscoPrivKey9
snmp-server host 10.99.0.10 version 2c CityTrapComm3
radius-server host 10.99.0.20 key 7 02050D480809
radius server R1
 address ipv4 10.99.0.21 auth-port 1812
 key CiscoRadiusKey5
tacacs-server host 10.99.0.22 key CiscoTacacsKey6
ntp authentication-key 1 md5 CiscoNtpKey7 7
crypto isakmp key CiscoIsakmpPsk8 address 203.0.113.1
crypto ikev2 keyring KR
 peer P1
  pre-shared-key CiscoIkev2Psk9
key chain OSPF
 key 1
  key-string CiscoKeyString10
crypto pki certificate chain TP-self-signed-1
 certificate self-signed 01
  3082022B 30820194 A0030201 02020101 300D0609 2A864886 F70D0101 05050030
  31312F30 2D060355 04031326 494F532D 53656C66 2D536967 6E65642D 43657274
  \tquit
line vty 0 4
 password 7 CiscoVtyPw11
 transport input ssh
""",
        (
            "$9$nhEmQVczB7dqsO$X.HsgL6x1il0RxkOSSvyQYwucySCt7qFm4v7pqCxkKM",
            "0822455D0A16",
            "$1$mERr$hx5rVt7rPNoS4wqbXKX7m0",
            "060506324F41",
            "CiscoPlainPw1",
            "CityRoComm1",
            "CityRwComm2",
            "CiscoAuthKey9",
            "CiscoPrivKey9",
            "CityTrapComm3",
            "02050D480809",
            "CiscoRadiusKey5",
            "CiscoTacacsKey6",
            "CiscoNtpKey7",
            "CiscoIsakmpPsk8",
            "CiscoIkev2Psk9",
            "CiscoKeyString10",
            "3082022B",
            "CiscoVtyPw11",
        ),
    ),
    "alaxala_ax": (
        """hostname "ax-sw1"
username operator password AxPlainPw1
password AxLoginPw2
enable password AxEnablePw3
snmp-server community "AxRoComm4" ro 10
snmp-server host 10.99.0.10 traps "AxTrapComm5" version 2c
radius-server host 10.99.0.20 key "AxRadiusKey6"
""",
        ("AxPlainPw1", "AxLoginPw2", "AxEnablePw3", "AxRoComm4", "AxTrapComm5", "AxRadiusKey6"),
    ),
    "allied_telesis_awplus": (
        """hostname aw-sw1
username manager privilege 15 password 8 $1$bJoVec4D$JwOJGPr7YqoExA0GVasdE0
username guest privilege 1 password AwPlainPw1
enable password AwEnablePw2
snmp-server community AwRoComm3 ro
snmp-server user nms nmsgroup auth sha AwAuthKey4 priv aes AwPrivKey5
radius-server host 10.99.0.20 key AwRadiusKey6
tacacs-server host 10.99.0.21 key AwTacacsKey7
ntp authentication-key 1 md5 AwNtpKey8
""",
        (
            "$1$bJoVec4D$JwOJGPr7YqoExA0GVasdE0",
            "AwPlainPw1",
            "AwEnablePw2",
            "AwRoComm3",
            "AwAuthKey4",
            "AwPrivKey5",
            "AwRadiusKey6",
            "AwTacacsKey7",
            "AwNtpKey8",
        ),
    ),
    "yamaha_rtx": (
        """login password encrypted A7qYB8mTL2
administrator password encrypted Z1x2C3v4B5
login user admin encrypted YmhUserHash1
login user ops YmhUserPlain2
pp select 1
 pp auth accept chap
 pp auth myname isp-user@example.jp YmhPppPw3
ipsec ike pre-shared-key 1 text YmhIkePsk4
snmp community read-only YmhRoComm5
snmpv2c community read-write YmhRwComm6
snmp trap host 10.99.0.10 YmhTrapComm7
snmpv3 usm user 1 nms group 1 auth sha YmhAuthKey8 priv aes128-cfb YmhPrivKey9
radius secret YmhRadiusKey10
tunnel select 2
 l2tp tunnel auth on YmhL2tpKey11
""",
        (
            "A7qYB8mTL2",
            "Z1x2C3v4B5",
            "YmhUserHash1",
            "YmhUserPlain2",
            "YmhPppPw3",
            "YmhIkePsk4",
            "YmhRoComm5",
            "YmhRwComm6",
            "YmhTrapComm7",
            "YmhAuthKey8",
            "YmhPrivKey9",
            "YmhRadiusKey10",
            "YmhL2tpKey11",
        ),
    ),
    "fortinet": (
        """config system admin
    edit "admin"
        set trusthost1 10.99.0.0 255.255.255.0
        set password ENC SH2nlSm9QL9tapcHPXIqAXvX7vBJuuqu22hpa2OJgJ7RD6Vmt5wDBUs0J0Ak2o=
    next
end
config system snmp community
    edit 1
        set name "FgtRoComm1"
        config hosts
            edit 1
                set ip 10.99.0.10 255.255.255.255
            next
        end
    next
    edit 2
        set name "FgtRoComm2"
    next
end
config system snmp user
    edit "nms"
        set auth-pwd ENC FgtAuthBlobAAAA1111
        set priv-pwd ENC FgtPrivBlobBBBB2222
    next
end
config vpn ipsec phase1-interface
    edit "to-dc"
        set psksecret ENC FgtPskBlobCCCC3333
    next
end
config user radius
    edit "rad1"
        set secret ENC FgtRadiusBlobDDDD4444
    next
end
config vpn certificate local
    edit "srv"
        set private-key "-----BEGIN ENCRYPTED PRIVATE KEY-----
MIIFHDBOBgkqhkiG9w0BBQ0wQTApBgkqhkiG9w0BBQwwHAQIFgtPrivKeyBody5
-----END ENCRYPTED PRIVATE KEY-----"
    next
end
config system interface
    edit "port1"
        set allowaccess ping https ssh
    next
end
""",
        (
            "SH2nlSm9QL9tapcHPXIqAXvX7vBJuuqu22hpa2OJgJ7RD6Vmt5wDBUs0J0Ak2o=",
            "FgtRoComm1",
            "FgtRoComm2",
            "FgtAuthBlobAAAA1111",
            "FgtPrivBlobBBBB2222",
            "FgtPskBlobCCCC3333",
            "FgtRadiusBlobDDDD4444",
            "FgtPrivKeyBody5",
        ),
    ),
    "nec_ix": (
        """hostname ix-rt1
username admin password plain 1 NecPlainPw1 administrator
username ops password hash NecHashPw2 operator
snmp-agent ip community NecRoComm3
snmp-agent ip host 10.99.0.10 NecTrapComm4 v2c
ike key NecIkePsk5 203.0.113.1
ppp authentication password isp-user NecPppPw6
radius-server host 10.99.0.20 key NecRadiusKey7
ntp authentication-key 1 md5 NecNtpKey8
ike policy pol1 peer 192.0.2.1 key NecIkePolicyPsk9 mode aggressive p1
http-server username admin secret-password NecHttpPw10
""",
        (
            "NecPlainPw1",
            "NecHashPw2",
            "NecRoComm3",
            "NecTrapComm4",
            "NecIkePsk5",
            "NecPppPw6",
            "NecRadiusKey7",
            "NecNtpKey8",
            "NecIkePolicyPsk9",
            "NecHttpPw10",
        ),
    ),
}
