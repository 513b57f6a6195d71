"""Every configuration syntax that carries a secret, per platform: the redaction contract.

Data, not code: :mod:`auditor.redact` holds the patterns; this table names each syntax with an
example line written for it and the token that must never survive redaction. The secret-leak
tests run every row through the stored configuration, unparsed-line evidence, diffs, logs and
exports, and docs/security.md lists the table. A syntax added to a parser without a row here is
a syntax nobody has checked.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SecretSyntax:
    what: str
    example: str
    secret: str


SECRET_SYNTAXES: dict[str, tuple[SecretSyntax, ...]] = {
    "cisco_ios": (
        SecretSyntax(
            "enable secret", "enable secret 9 $9$Ab$CiscoEnableHash01", "$9$Ab$CiscoEnableHash01"
        ),
        SecretSyntax("enable password", "enable password 7 0822455D0A1601", "0822455D0A1601"),
        SecretSyntax(
            "local user secret",
            "username a privilege 15 secret 5 $1$x$CiscoUserHash02",
            "$1$x$CiscoUserHash02",
        ),
        SecretSyntax(
            "local user password", "username b password 0 CiscoPlainPw03", "CiscoPlainPw03"
        ),
        SecretSyntax("line password", " password 7 CiscoLinePw04", "CiscoLinePw04"),
        SecretSyntax("SNMP community", "snmp-server community CiscoComm05 RO 10", "CiscoComm05"),
        SecretSyntax(
            "SNMP trap community",
            "snmp-server host 192.0.2.9 version 2c CiscoTrap06",
            "CiscoTrap06",
        ),
        SecretSyntax(
            "SNMPv3 auth/priv keys",
            "snmp-server user u G v3 auth sha CiscoAuth07 priv aes 128 CiscoPriv08",
            "CiscoPriv08",
        ),
        SecretSyntax(
            "RADIUS key (legacy)", "radius-server host 192.0.2.1 key CiscoRad09", "CiscoRad09"
        ),
        SecretSyntax("RADIUS key (server block)", " key 7 CiscoRad10", "CiscoRad10"),
        SecretSyntax("TACACS+ key", "tacacs-server host 192.0.2.2 key CiscoTac11", "CiscoTac11"),
        SecretSyntax("NTP key", "ntp authentication-key 1 md5 CiscoNtp12 7", "CiscoNtp12"),
        SecretSyntax(
            "ISAKMP pre-shared key", "crypto isakmp key CiscoPsk13 address 192.0.2.3", "CiscoPsk13"
        ),
        SecretSyntax("IKEv2 keyring PSK", "  pre-shared-key CiscoPsk14", "CiscoPsk14"),
        SecretSyntax("key chain key-string", "  key-string CiscoKeyStr15", "CiscoKeyStr15"),
        SecretSyntax(
            "OSPF authentication key", " ip ospf authentication-key CiscoOspf16", "CiscoOspf16"
        ),
        SecretSyntax(
            "OSPF MD5 key", " ip ospf message-digest-key 1 md5 CiscoOspf17", "CiscoOspf17"
        ),
        SecretSyntax(
            "BGP neighbor password", " neighbor 192.0.2.4 password CiscoBgp18", "CiscoBgp18"
        ),
        SecretSyntax("PPP CHAP password", " ppp chap password 0 CiscoChap19", "CiscoChap19"),
    ),
    "allied_telesis_awplus": (
        SecretSyntax(
            "local user password",
            "username manager privilege 15 password 8 $1$a$AwUserHash01",
            "$1$a$AwUserHash01",
        ),
        SecretSyntax("enable password", "enable password AwEnable02", "AwEnable02"),
        SecretSyntax("SNMP community", "snmp-server community AwComm03 ro", "AwComm03"),
        SecretSyntax(
            "SNMPv3 keys", "snmp-server user u g auth sha AwAuth04 priv aes AwPriv05", "AwPriv05"
        ),
        SecretSyntax("RADIUS key", "radius-server host 192.0.2.1 key AwRad06", "AwRad06"),
        SecretSyntax("TACACS+ key", "tacacs-server host 192.0.2.2 key AwTac07", "AwTac07"),
        SecretSyntax("NTP key", "ntp authentication-key 1 md5 AwNtp08", "AwNtp08"),
        SecretSyntax("OSPF MD5 key", " ip ospf message-digest-key 1 md5 AwOspf09", "AwOspf09"),
    ),
    "alaxala_ax": (
        SecretSyntax("SNMP community", 'snmp-server community "AxComm01" ro 10', "AxComm01"),
        SecretSyntax(
            "SNMP trap community",
            'snmp-server host 192.0.2.9 traps "AxTrap02" version 2c',
            "AxTrap02",
        ),
        SecretSyntax("RADIUS key", 'radius-server host 192.0.2.1 key "AxRad03"', "AxRad03"),
        SecretSyntax("TACACS+ key", 'tacacs-server host 192.0.2.2 key "AxTac04"', "AxTac04"),
        SecretSyntax(
            "local/enable password (lab form)", "enable password AxEnable05", "AxEnable05"
        ),
    ),
    "nec_ix": (
        SecretSyntax(
            "local user password",
            "username admin password hash 0A1B2C3D4E5F01 administrator",
            "0A1B2C3D4E5F01",
        ),
        SecretSyntax(
            "local user plain password",
            "username u password plain 1 NecPlain02 administrator",
            "NecPlain02",
        ),
        SecretSyntax(
            "IKE policy PSK",
            "ike policy pol1 peer 192.0.2.1 key NecIkePsk03 mode aggressive p1",
            "NecIkePsk03",
        ),
        SecretSyntax(
            "IKEv2 PSK",
            "  ikev2 authentication psk id keyid k1 key char NecIke2Psk04",
            "NecIke2Psk04",
        ),
        SecretSyntax("IKE key (older form)", "ike key NecIkeKey05 192.0.2.1", "NecIkeKey05"),
        SecretSyntax(
            "PPP profile password", "  authentication password isp-user NecPpp06", "NecPpp06"
        ),
        SecretSyntax(
            "PPP authentication password",
            "ppp authentication password isp-user NecPpp07",
            "NecPpp07",
        ),
        SecretSyntax(
            "HTTP server password",
            "http-server username admin secret-password NecHttp08",
            "NecHttp08",
        ),
        SecretSyntax("NetMeister account", "nm account u1 password secret NecNm09", "NecNm09"),
        SecretSyntax("SNMP community", "snmp-agent ip community NecComm10 mgmt-acl", "NecComm10"),
        SecretSyntax(
            "SNMP trap community", "snmp-agent ip host 192.0.2.9 NecTrap11 version 2", "NecTrap11"
        ),
        SecretSyntax("RADIUS key", "radius-server host 192.0.2.1 key NecRad12", "NecRad12"),
    ),
    "yamaha_rtx": (
        SecretSyntax("login password", "login password encrypted YmhLogin01", "YmhLogin01"),
        SecretSyntax("administrator password", "administrator password YmhAdmin02", "YmhAdmin02"),
        SecretSyntax("login user", "login user ops encrypted YmhUser03", "YmhUser03"),
        SecretSyntax("PP auth myname", " pp auth myname isp@example.jp YmhPpp04", "YmhPpp04"),
        SecretSyntax("PP auth username (accept)", "pp auth username peer1 YmhPpp05", "YmhPpp05"),
        SecretSyntax("L2TP tunnel auth", " l2tp tunnel auth on YmhL2tp06", "YmhL2tp06"),
        SecretSyntax("IPsec IKE PSK", " ipsec ike pre-shared-key 1 text YmhPsk07", "YmhPsk07"),
        SecretSyntax("SNMP community", "snmp community read-only YmhComm08", "YmhComm08"),
        SecretSyntax("SNMP trap community", "snmp trap host 192.0.2.9 YmhTrap09", "YmhTrap09"),
        SecretSyntax(
            "SNMPv3 keys",
            "snmpv3 usm user 1 nms group 1 auth sha YmhAuth10 priv aes128-cfb YmhPriv11",
            "YmhPriv11",
        ),
        SecretSyntax("RADIUS secret", "radius secret YmhRad12", "YmhRad12"),
        SecretSyntax("PPPoE/PP auth request password", " pp auth request chap-pap", ""),
    ),
    "fortinet": (
        SecretSyntax(
            "admin password", "        set password ENC FgtAdminBlob01abcd", "FgtAdminBlob01abcd"
        ),
        SecretSyntax("IPsec PSK", "        set psksecret ENC FgtPskBlob02abcd", "FgtPskBlob02abcd"),
        SecretSyntax(
            "user password", "        set passwd ENC FgtUserBlob03abcd", "FgtUserBlob03abcd"
        ),
        SecretSyntax(
            "SNMPv3 auth key", "        set auth-pwd ENC FgtAuthBlob04abcd", "FgtAuthBlob04abcd"
        ),
        SecretSyntax(
            "SNMPv3 priv key", "        set priv-pwd ENC FgtPrivBlob05abcd", "FgtPrivBlob05abcd"
        ),
        SecretSyntax(
            "RADIUS/TACACS+ secret", "        set secret ENC FgtRadBlob06abcd", "FgtRadBlob06abcd"
        ),
        SecretSyntax("TACACS+ key", "        set key ENC FgtTacBlob07abcd", "FgtTacBlob07abcd"),
        SecretSyntax(
            "any ENC blob", "        set ha-password ENC FgtHaBlob08abcdef", "FgtHaBlob08abcdef"
        ),
    ),
}
"""Platform → every syntax that carries a secret (an empty ``secret`` marks a line with none)."""
