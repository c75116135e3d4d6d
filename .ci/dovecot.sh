#!/usr/bin/env bash
# Runs a private Dovecot on 127.0.0.1 for the IMAP integration tests of
# channels/imap, leaving the system's Dovecot (its config and its service)
# alone: everything lives under one directory of its own.
#
# Usage (as root, as CI runs):
#   eval "$(bash .ci/dovecot.sh start)"   # install if missing, start, print env
#   go test ./channels/imap/...           # now also runs TestPollerDovecot
#   bash .ci/dovecot.sh stop              # stop it and remove its directory
#   bash .ci/dovecot.sh env               # print the env lines again
#
# start is idempotent: when this instance already runs, it only prints the
# env lines. It prints nothing but `export NAME=value` lines on stdout;
# progress and errors go to stderr.
#
# Knobs: TRIAGE_DOVECOT_DIR (default ${TMPDIR:-/tmp}/triage-dovecot),
# TRIAGE_DOVECOT_PORT (implicit TLS, default 10993),
# TRIAGE_DOVECOT_STARTTLS_PORT (clear text + STARTTLS, default 10143).
set -euo pipefail

dir=${TRIAGE_DOVECOT_DIR:-${TMPDIR:-/tmp}/triage-dovecot}
tls_port=${TRIAGE_DOVECOT_PORT:-10993}
starttls_port=${TRIAGE_DOVECOT_STARTTLS_PORT:-10143}
user=triage
password=triage-test-password
conf=$dir/dovecot.conf

log() { echo "dovecot.sh: $*" >&2; }
die() { log "$*"; exit 1; }

print_env() {
	echo "export TRIAGE_TEST_IMAP_ADDR=127.0.0.1:$tls_port"
	echo "export TRIAGE_TEST_IMAP_SECURITY=tls"
	echo "export TRIAGE_TEST_IMAP_STARTTLS_ADDR=127.0.0.1:$starttls_port"
	echo "export TRIAGE_TEST_IMAP_USER=$user"
	echo "export TRIAGE_TEST_IMAP_PASSWORD=$password"
	echo "export TRIAGE_TEST_IMAP_CA=$dir/cert.pem"
}

running() {
	[[ -f $dir/run/master.pid ]] && kill -0 "$(cat "$dir/run/master.pid")" 2>/dev/null
}

install_dovecot() {
	command -v dovecot >/dev/null && [[ -x /usr/lib/dovecot/imap ]] && return
	[[ $(id -u) == 0 ]] || die "dovecot-imapd is not installed and installing it needs root"
	log "installing dovecot-imapd"
	# Keep the package from starting the system-wide service: policy-rc.d
	# exit 101 forbids it. Added only when absent, and removed again.
	local policy=/usr/sbin/policy-rc.d added=
	if [[ ! -e $policy ]]; then
		printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && added=1
	fi
	local rc=0
	{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd; } >&2 || rc=$?
	[[ -n $added ]] && rm -f "$policy"
	[[ $rc == 0 ]] || die "apt-get install dovecot-imapd failed ($rc)"
}

make_cert() {
	if [[ -f $dir/cert.pem ]] && openssl x509 -checkend 3600 -noout -in "$dir/cert.pem" >/dev/null; then
		return
	fi
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-days 7 -subj "/CN=127.0.0.1" \
		-addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
		-keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null
	chmod 600 "$dir/key.pem"
	chmod 644 "$dir/cert.pem"
}

write_config() {
	# One passwd-file serves as passdb and userdb: the user's mail is a
	# Maildir under $dir/home, owned by nobody.
	echo "$user:{PLAIN}$password:65534:65534::$dir/home/$user" >"$dir/passwd"
	chmod 644 "$dir/passwd"
	mkdir -p "$dir/home/$user"
	chown -R 65534:65534 "$dir/home"
	local version
	version=$(dovecot --version | cut -d. -f1,2)
	if [[ $version == 2.[0-3] ]]; then
		cat >"$conf" <<EOF
base_dir = $dir/run
state_dir = $dir/state
log_path = $dir/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <$dir/cert.pem
ssl_key = <$dir/key.pem
disable_plaintext_auth = no
login_trusted_networks = 127.0.0.0/8
auth_mechanisms = plain login
auth_failure_delay = 0
mail_location = maildir:~/Maildir
mailbox_idle_check_interval = 1 secs
namespace inbox {
  inbox = yes
  separator = /
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN $dir/passwd
}
userdb {
  driver = passwd-file
  args = $dir/passwd
}
service imap-login {
  inet_listener imap {
    port = $starttls_port
  }
  inet_listener imaps {
    port = $tls_port
    ssl = yes
  }
  # Keep login processes (no fork per connection): tests connect often.
  service_count = 0
  process_min_avail = 1
}
EOF
	else
		cat >"$conf" <<EOF
dovecot_config_version = 2.4.0
dovecot_storage_version = 2.4.0
base_dir = $dir/run
state_dir = $dir/state
log_path = $dir/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_server_cert_file = $dir/cert.pem
ssl_server_key_file = $dir/key.pem
auth_allow_cleartext = yes
login_trusted_networks = 127.0.0.0/8
auth_mechanisms = plain login
auth_failure_delay = 0
mail_driver = maildir
mail_path = ~/Maildir
mailbox_idle_check_interval = 1s
namespace inbox {
  inbox = yes
  separator = /
}
passdb passwd-file {
  passwd_file_path = $dir/passwd
}
userdb passwd-file {
  passwd_file_path = $dir/passwd
}
service imap-login {
  inet_listener imap {
    port = $starttls_port
  }
  inet_listener imaps {
    port = $tls_port
    ssl = yes
  }
}
EOF
	fi
}

wait_port() {
	local i
	for ((i = 0; i < 100; i++)); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

start() {
	if running; then
		log "already running from $conf"
		print_env
		return
	fi
	install_dovecot
	mkdir -p "$dir/run" "$dir/state"
	chmod 755 "$dir"
	make_cert
	write_config
	: >"$dir/dovecot.log"
	dovecot -c "$conf" || { cat "$dir/dovecot.log" >&2; die "dovecot -c $conf failed"; }
	if ! wait_port "$tls_port" || ! wait_port "$starttls_port"; then
		cat "$dir/dovecot.log" >&2
		die "dovecot is not listening on 127.0.0.1:$tls_port and :$starttls_port after 10 s"
	fi
	log "running $(dovecot --version) on 127.0.0.1:$tls_port (TLS) and :$starttls_port (STARTTLS), log $dir/dovecot.log"
	print_env
}

stop() {
	if running; then
		dovecot -c "$conf" stop 2>/dev/null || kill "$(cat "$dir/run/master.pid")"
		local i
		for ((i = 0; i < 100; i++)); do
			running || break
			sleep 0.1
		done
		running && die "dovecot (pid $(cat "$dir/run/master.pid")) did not stop"
		log "stopped"
	fi
	rm -rf "$dir"
}

case ${1:-start} in
start) start ;;
stop) stop ;;
env) print_env ;;
*) die "usage: $0 [start|stop|env]" ;;
esac
