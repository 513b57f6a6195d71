BEGIN TRANSACTION;
CREATE TABLE alembic_version (
	version_num VARCHAR(32) NOT NULL, 
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);
INSERT INTO "alembic_version" VALUES('0011_findings_redacted');
CREATE TABLE collection_errors (
	id INTEGER NOT NULL, 
	run_id INTEGER NOT NULL, 
	device VARCHAR(255) NOT NULL, 
	check_id VARCHAR(64) NOT NULL, 
	at DATETIME NOT NULL, 
	CONSTRAINT pk_collection_errors PRIMARY KEY (id), 
	CONSTRAINT fk_collection_errors_run_id_runs FOREIGN KEY(run_id) REFERENCES runs (id)
);
INSERT INTO "collection_errors" VALUES(1,1,'fw1','COL-001','2026-04-01 01:00:00.000000');
CREATE TABLE devices (
	id INTEGER NOT NULL, 
	name VARCHAR(255) NOT NULL, 
	first_seen DATETIME NOT NULL, 
	last_collected DATETIME, 
	CONSTRAINT pk_devices PRIMARY KEY (id), 
	CONSTRAINT uq_devices_name UNIQUE (name)
);
INSERT INTO "devices" VALUES(1,'core-sw1','2026-04-01 01:00:00.000000','2026-04-03 01:00:00.000000');
INSERT INTO "devices" VALUES(2,'fw1','2026-04-01 01:00:00.000000','2026-04-03 01:00:00.000000');
CREATE TABLE event_chain (
	id INTEGER NOT NULL, 
	last_event_id INTEGER NOT NULL, 
	last_hash VARCHAR(64) NOT NULL, 
	event_count BIGINT NOT NULL, 
	CONSTRAINT pk_event_chain PRIMARY KEY (id)
);
INSERT INTO "event_chain" VALUES(1,8,'ba89c7c85662b45ca372e7be6560fd13cf0ab8b5052eaf917f4e420475df8483',8);
CREATE TABLE evidence (
	sha256 VARCHAR(64) NOT NULL, 
	media_type VARCHAR(127) NOT NULL, 
	size BIGINT NOT NULL, 
	data BLOB NOT NULL, 
	created_at DATETIME NOT NULL, 
	CONSTRAINT pk_evidence PRIMARY KEY (sha256)
);
INSERT INTO "evidence" VALUES('0d0f8be5194f7a0adbcdfaedd2ef011c1ab6ad6c6da2fad7f08c737355e5ac88','text/plain; charset=utf-8',18,X'686F73746E616D6520636F72652D7377310A','2026-04-01 01:00:00.000000');
CREATE TABLE finding_events (
	id INTEGER NOT NULL, 
	fingerprint VARCHAR(64) NOT NULL, 
	run_id INTEGER, 
	event_type VARCHAR(32) NOT NULL, 
	actor VARCHAR(255) NOT NULL, 
	at DATETIME NOT NULL, 
	payload JSON NOT NULL, 
	prev_hash VARCHAR(64) NOT NULL, 
	hash VARCHAR(64) NOT NULL, 
	CONSTRAINT pk_finding_events PRIMARY KEY (id), 
	CONSTRAINT fk_finding_events_run_id_runs FOREIGN KEY(run_id) REFERENCES runs (id), 
	CONSTRAINT uq_finding_events_hash UNIQUE (hash)
);
INSERT INTO "finding_events" VALUES(1,'303bf2672707b6cb05dd35959a0c392a9947c55be5a1b3e72485ca202b1a7504',1,'created','auditor','2026-04-01 01:00:00.000000','{"check_id": "HRD-001", "device": "core-sw1", "subject": "line vty 0 4", "severity": "high", "outcome": "fail", "status": "new"}','0000000000000000000000000000000000000000000000000000000000000000','dfc539ecd33accc83846a2758eb5bc51dc087de03fb7fc6d98aa97058b2c043f');
INSERT INTO "finding_events" VALUES(2,'8ed4436e562ff5de3cbb6b4c77efb16c849dc6298d2d1db6de8bde535ae32d08',1,'created','auditor','2026-04-01 01:00:00.000000','{"check_id": "HRD-002", "device": "fw1", "subject": "snmp community", "severity": "high", "outcome": "fail", "status": "new"}','dfc539ecd33accc83846a2758eb5bc51dc087de03fb7fc6d98aa97058b2c043f','b2ae24c4cd5d56d5520fa1c96feaf01605ea7cd32e0b2c245f283c382d6c6e40');
INSERT INTO "finding_events" VALUES(3,'24a1615c7dfa99c21b3d6c7518d3c587b26a4f988bae2f1ed79259fd70b58822',1,'created','auditor','2026-04-01 01:00:00.000000','{"check_id": "COL-001", "device": "fw1", "subject": "snmp", "severity": "high", "outcome": "error", "status": "new"}','b2ae24c4cd5d56d5520fa1c96feaf01605ea7cd32e0b2c245f283c382d6c6e40','ee66586481f4f0ba37464ae3dc87b932f3316e9dcdeaff4edd62040b9668d215');
INSERT INTO "finding_events" VALUES(4,'run:1',1,'run_finished','auditor','2026-04-01 01:00:00.000000','{"run": {"status": "partial", "finished_at": "2026-04-01T01:00:00.000000+00:00", "devices_collected": 1, "finding_counts": {"seen": 3, "new": 3, "reopened": 0, "resolved": 0, "suppressed": 0, "unsuppressed": 0, "errors": 1, "by_severity": {"high": 2}}, "note": null}, "seen": {"24a1615c7dfa99c2": "ffad85f7d039d2f5", "303bf2672707b6cb": "cb8027878b606dde", "8ed4436e562ff5de": "f1640f16caa68e3e"}}','ee66586481f4f0ba37464ae3dc87b932f3316e9dcdeaff4edd62040b9668d215','96c34a8fd8292835c7427dbb689e54b3e7480a889716854c7af5472d133e8d90');
INSERT INTO "finding_events" VALUES(5,'303bf2672707b6cb05dd35959a0c392a9947c55be5a1b3e72485ca202b1a7504',NULL,'acked','担当者','2026-04-02 01:00:00.000000','{"note": "seen", "status": "new"}','96c34a8fd8292835c7427dbb689e54b3e7480a889716854c7af5472d133e8d90','9ac2d2f7d331001ae42d567e1da5410a3d3a93397e50b349ccc640212cb494f2');
INSERT INTO "finding_events" VALUES(6,'8ed4436e562ff5de3cbb6b4c77efb16c849dc6298d2d1db6de8bde535ae32d08',NULL,'suppressed','担当者','2026-04-02 01:00:00.000000','{"from": "new", "exception_id": "manual:R8-1", "reason": "legacy", "approver": "\u8ab2\u9577", "approval_number": "R8-1", "expires": "2026-12-31", "manual": true}','9ac2d2f7d331001ae42d567e1da5410a3d3a93397e50b349ccc640212cb494f2','af885af4c2b6ad18efb20ee693643d28b41cb38ff0537ed60434111d8355bf58');
INSERT INTO "finding_events" VALUES(7,'303bf2672707b6cb05dd35959a0c392a9947c55be5a1b3e72485ca202b1a7504',2,'resolved','auditor','2026-04-03 01:00:00.000000','{"from": "new"}','af885af4c2b6ad18efb20ee693643d28b41cb38ff0537ed60434111d8355bf58','067de667b938f96dc83b4eb3f67dec2891e89502b65e63b65fc5a8058f695a42');
INSERT INTO "finding_events" VALUES(8,'run:2',2,'run_finished','auditor','2026-04-03 01:00:00.000000','{"run": {"status": "complete", "finished_at": "2026-04-03T01:00:00.000000+00:00", "devices_collected": 2, "finding_counts": {"seen": 1, "new": 0, "reopened": 0, "resolved": 1, "suppressed": 0, "unsuppressed": 0, "errors": 0, "by_severity": {}}, "note": null}, "seen": {"8ed4436e562ff5de": "f1640f16caa68e3e"}}','067de667b938f96dc83b4eb3f67dec2891e89502b65e63b65fc5a8058f695a42','ba89c7c85662b45ca372e7be6560fd13cf0ab8b5052eaf917f4e420475df8483');
CREATE TABLE "findings" (
	id INTEGER NOT NULL, 
	fingerprint VARCHAR(64) NOT NULL, 
	check_id VARCHAR(64) NOT NULL, 
	device VARCHAR(255), 
	subject TEXT NOT NULL, 
	zone VARCHAR(64), 
	severity VARCHAR(16) NOT NULL, 
	outcome VARCHAR(16) NOT NULL, 
	message_en TEXT NOT NULL, 
	message_ja TEXT NOT NULL, 
	"references" JSON NOT NULL, 
	evidence JSON NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	first_seen DATETIME NOT NULL, 
	last_seen DATETIME NOT NULL, 
	resolved_at DATETIME, 
	first_run_id INTEGER, 
	last_run_id INTEGER, 
	exception_id VARCHAR(128), 
	acknowledged_by VARCHAR(255), 
	acknowledged_at DATETIME, 
	owner VARCHAR(255), 
	due DATE, 
	redacted BOOLEAN DEFAULT 0 NOT NULL, 
	CONSTRAINT pk_findings PRIMARY KEY (id), 
	CONSTRAINT fk_findings_last_run_id_runs FOREIGN KEY(last_run_id) REFERENCES runs (id), 
	CONSTRAINT fk_findings_first_run_id_runs FOREIGN KEY(first_run_id) REFERENCES runs (id), 
	CONSTRAINT uq_findings_fingerprint UNIQUE (fingerprint)
);
INSERT INTO "findings" VALUES(1,'303bf2672707b6cb05dd35959a0c392a9947c55be5a1b3e72485ca202b1a7504','HRD-001','core-sw1','line vty 0 4','management','high','fail','core-sw1: line vty 0 4 violates HRD-001','core-sw1 の line vty 0 4 は HRD-001 に違反しています','[{"kind": "guideline", "key": "\u30a2\u30af\u30bb\u30b9\u5236\u5fa1", "note": null}]','[]','resolved','2026-04-01 01:00:00.000000','2026-04-01 01:00:00.000000','2026-04-03 01:00:00.000000',1,1,NULL,'担当者','2026-04-02 01:00:00.000000',NULL,NULL,1);
INSERT INTO "findings" VALUES(2,'8ed4436e562ff5de3cbb6b4c77efb16c849dc6298d2d1db6de8bde535ae32d08','HRD-002','fw1','snmp community','management','high','fail','fw1: snmp community violates HRD-002','fw1 の snmp community は HRD-002 に違反しています','[{"kind": "guideline", "key": "\u30a2\u30af\u30bb\u30b9\u5236\u5fa1", "note": null}]','[]','suppressed','2026-04-01 01:00:00.000000','2026-04-03 01:00:00.000000',NULL,1,2,'manual:R8-1',NULL,NULL,NULL,NULL,1);
INSERT INTO "findings" VALUES(3,'24a1615c7dfa99c21b3d6c7518d3c587b26a4f988bae2f1ed79259fd70b58822','COL-001','fw1','snmp','management','high','error','fw1: snmp violates COL-001','fw1 の snmp は COL-001 に違反しています','[{"kind": "guideline", "key": "\u30a2\u30af\u30bb\u30b9\u5236\u5fa1", "note": null}]','[]','new','2026-04-01 01:00:00.000000','2026-04-01 01:00:00.000000',NULL,1,1,NULL,NULL,NULL,NULL,NULL,1);
CREATE TABLE notification_outbox (
	id INTEGER NOT NULL, 
	channel VARCHAR(64) NOT NULL, 
	kind VARCHAR(32) NOT NULL, 
	dedupe_key VARCHAR(255) NOT NULL, 
	subject VARCHAR(255), 
	level VARCHAR(16) NOT NULL, 
	payload JSON NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	attempts INTEGER NOT NULL, 
	created_at DATETIME NOT NULL, 
	next_attempt_at DATETIME NOT NULL, 
	last_attempt_at DATETIME, 
	sent_at DATETIME, 
	last_error TEXT, 
	CONSTRAINT pk_notification_outbox PRIMARY KEY (id), 
	CONSTRAINT uq_notification_outbox_channel_key UNIQUE (channel, dedupe_key)
);
CREATE TABLE run_evidence (
	id INTEGER NOT NULL, 
	run_id INTEGER NOT NULL, 
	device VARCHAR(255), 
	label TEXT NOT NULL, 
	sha256 VARCHAR(64) NOT NULL, 
	CONSTRAINT pk_run_evidence PRIMARY KEY (id), 
	CONSTRAINT fk_run_evidence_run_id_runs FOREIGN KEY(run_id) REFERENCES runs (id), 
	CONSTRAINT fk_run_evidence_sha256_evidence FOREIGN KEY(sha256) REFERENCES evidence (sha256)
);
INSERT INTO "run_evidence" VALUES(1,1,'core-sw1','running-config','0d0f8be5194f7a0adbcdfaedd2ef011c1ab6ad6c6da2fad7f08c737355e5ac88');
CREATE TABLE run_matrices (
	run_id INTEGER NOT NULL, 
	computed_at DATETIME NOT NULL, 
	data JSON, 
	error TEXT, 
	CONSTRAINT pk_run_matrices PRIMARY KEY (run_id), 
	CONSTRAINT fk_run_matrices_run_id_runs FOREIGN KEY(run_id) REFERENCES runs (id)
);
CREATE TABLE run_results (
	id INTEGER NOT NULL, 
	run_id INTEGER NOT NULL, 
	check_id VARCHAR(64) NOT NULL, 
	target VARCHAR(255) NOT NULL, 
	outcome VARCHAR(16) NOT NULL, 
	reason_en TEXT, 
	reason_ja TEXT, 
	CONSTRAINT pk_run_results PRIMARY KEY (id), 
	CONSTRAINT fk_run_results_run_id_runs FOREIGN KEY(run_id) REFERENCES runs (id), 
	CONSTRAINT uq_run_results_run_check_target UNIQUE (run_id, check_id, target)
);
INSERT INTO "run_results" VALUES(1,1,'HRD-001','core-sw1','fail',NULL,NULL);
CREATE TABLE runs (
	id INTEGER NOT NULL, 
	kind VARCHAR(32) NOT NULL, 
	scope VARCHAR(16) NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	started_at DATETIME NOT NULL, 
	finished_at DATETIME, 
	devices JSON NOT NULL, 
	devices_attempted INTEGER NOT NULL, 
	devices_collected INTEGER NOT NULL, 
	finding_counts JSON NOT NULL, 
	tool_version VARCHAR(64) NOT NULL, 
	rule_pack_hash VARCHAR(128), 
	policy_hash VARCHAR(128), 
	note TEXT, pid INTEGER, host VARCHAR(255), 
	CONSTRAINT pk_runs PRIMARY KEY (id)
);
INSERT INTO "runs" VALUES(1,'audit','full','partial','2026-04-01 01:00:00.000000','2026-04-01 01:00:00.000000','["core-sw1", "fw1"]',2,1,'{"seen": 3, "new": 3, "reopened": 0, "resolved": 0, "suppressed": 0, "unsuppressed": 0, "errors": 1, "by_severity": {"high": 2}}','0.1.0-test','rules-hash','policy-hash',NULL,23225,'vm');
INSERT INTO "runs" VALUES(2,'audit','full','complete','2026-04-03 01:00:00.000000','2026-04-03 01:00:00.000000','["core-sw1", "fw1"]',2,2,'{"seen": 1, "new": 0, "reopened": 0, "resolved": 1, "suppressed": 0, "unsuppressed": 0, "errors": 0, "by_severity": {}}','0.1.0-test','rules-hash','policy-hash',NULL,23225,'vm');
CREATE TABLE snapshots (
	id INTEGER NOT NULL, 
	run_id INTEGER NOT NULL, 
	device_id INTEGER NOT NULL, 
	collected_at DATETIME NOT NULL, 
	schema_version INTEGER NOT NULL, 
	content_hash VARCHAR(64) NOT NULL, 
	changed BOOLEAN NOT NULL, 
	data JSON, 
	volatile JSON, 
	CONSTRAINT pk_snapshots PRIMARY KEY (id), 
	CONSTRAINT fk_snapshots_device_id_devices FOREIGN KEY(device_id) REFERENCES devices (id), 
	CONSTRAINT fk_snapshots_run_id_runs FOREIGN KEY(run_id) REFERENCES runs (id), 
	CONSTRAINT uq_snapshots_run_device UNIQUE (run_id, device_id)
);
INSERT INTO "snapshots" VALUES(1,1,1,'2026-04-01 01:00:00.000000',6,'38d0e3f8e7ebdbce18ea851cb7933308e95a266fda0f43cf2aacb84b7517956f',1,'{"schema_version": 6, "device": "core-sw1", "collected_at": "2026-04-01T01:00:00Z", "sources": [], "system": {"name": "core-sw1", "descr": "IOS 15.2", "object_id": null, "uptime_seconds": null, "contact": null, "location": null, "vendor": null, "model": null, "serial": null, "serials": [], "os_version": null, "decoding_notes": [], "config_changed_at": null, "config_changed_by": null, "device_kind": null, "clock_skew_seconds": null, "source": null}, "interfaces": [{"name": "Gi0/1", "if_index": null, "alias": null, "alias_encoding": null, "if_type": null, "kind": null, "svi_vlan": null, "admin_up": null, "oper_up": null, "speed_mbps": null, "last_change_seconds": null, "mac": null, "mode": "access", "access_vlan": 10, "allowed_vlans": null, "native_vlan": null, "pvid": null, "untagged_vlans": null, "addresses": [], "vrf": null, "shutdown": null, "port_security": null, "dot1x": null, "lldp_transmit": null, "cdp_enabled": null, "acl_in": null, "acl_out": null, "source": null}], "vlans": [], "fdb": [], "arp": [], "neighbors": [], "routes": [], "acls": [], "firewall_policies": [], "nat_rules": null, "policy_routes": [], "routing_protocols": null, "management": {"telnet_enabled": null, "ssh_enabled": null, "ssh_version": null, "http_server": null, "https_server": null, "snmp_versions": null, "snmp_communities": null, "snmp_v3_users": null, "aaa_enabled": null, "local_users": null, "enable_secret_storage": null, "password_encryption": null, "ntp_servers": null, "syslog_hosts": null, "login_logging": null, "config_change_logging": null, "banner": null, "exec_timeout_seconds": null, "vty_access_class": null, "snmp_access_class": null, "dhcp_snooping": null, "arp_inspection": null, "dns_servers": null, "snmp_probe_accepted": null, "source": null}, "wireless": null, "config_redacted": null, "config_hash": null, "unparsed_config_lines": [], "absent_tables": []}','{"uptime_seconds": null, "clock_skew_seconds": null, "last_change_seconds": {}}');
CREATE INDEX ix_runs_kind_started_at ON runs (kind, started_at);
CREATE INDEX ix_collection_errors_device_at ON collection_errors (device, at);
CREATE INDEX ix_finding_events_fingerprint ON finding_events (fingerprint);
CREATE INDEX ix_run_evidence_run_id ON run_evidence (run_id);
CREATE INDEX ix_run_evidence_sha256 ON run_evidence (sha256);
CREATE INDEX ix_snapshots_content_hash ON snapshots (content_hash);
CREATE INDEX ix_snapshots_device_collected ON snapshots (device_id, collected_at);
CREATE INDEX ix_notification_outbox_status_next ON notification_outbox (status, next_attempt_at);
CREATE INDEX ix_notification_outbox_subject ON notification_outbox (subject);
CREATE INDEX ix_run_results_run_id ON run_results (run_id);
CREATE INDEX ix_findings_last_seen ON findings (last_seen);
CREATE INDEX ix_findings_device ON findings (device);
CREATE INDEX ix_findings_check_id ON findings (check_id);
CREATE INDEX ix_findings_status ON findings (status);
COMMIT;
