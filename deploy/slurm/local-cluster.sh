# shellcheck shell=bash disable=SC2034  # SLURM_LOCAL_* are read by the script that sources this
# deploy/slurm/local-cluster.sh - a private single-node Slurm for tests and benchmarks.
# Sourced (bash): slurm_local_start DIR starts munged, slurmctld and slurmd with every
# file (key, sockets, config, state, spool, logs) under DIR, on ports of their own, and
# exports SLURM_CONF so that sbatch/srun/squeue talk to it; slurm_local_stop stops what
# slurm_local_start started, by pid, and nothing else. Needs root (slurmd runs jobs as
# their user) and the Debian packages of scripts/deps/slurm.list.
#
#   slurm_local_start DIR [CPUS]   0, or 1 with the reason in SLURM_LOCAL_WHY; CPUS (the
#                                  node's job slots) may exceed the machine's cpus
#                                  (config_overrides): tasks then share them
#   slurm_local_stop
# SLURM_LOCAL_EXTRA: more slurm.conf lines (e.g. SchedulerParameters=...) for experiments.
# The system's own Slurm and munge (/etc/slurm, /run/munge) are neither read nor touched.

SLURM_LOCAL_PIDS=()
SLURM_LOCAL_WHY=""

_slurm_local_wait() { # SECONDS CMD...: until CMD succeeds, SECONDS at most in all
	# A deadline, not a count of tries: a sinfo that cannot reach slurmctld (a hostname
	# that does not resolve) blocks ~10 s per call, and 300 of them took most of an hour.
	local end=$(( SECONDS + $1 )); shift
	while [ "$SECONDS" -lt "$end" ]; do
		timeout 5 "$@" > /dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# A TCP port nothing listens on (ss lists the listening ones), from a pid-derived start.
_slurm_local_port() {
	local p=$(( 20000 + ($$ * 7 + $1) % 20000 ))
	while ss -Hltn "sport = :$p" 2>/dev/null | grep -q .; do p=$((p + 1)); done
	echo "$p"
}

slurm_local_start() {
	local dir=$1 cpus=${2:-$(nproc)} host
	host=$(hostname -s)
	for c in munged mungekey slurmctld slurmd sbatch srun squeue sinfo; do
		command -v "$c" > /dev/null || { SLURM_LOCAL_WHY="no $c (scripts/install-deps.sh slurm)"; return 1; }
	done
	[ "$(id -u)" -eq 0 ] || { SLURM_LOCAL_WHY="slurmd must run as root"; return 1; }
	getent hosts "$host" > /dev/null ||
		{ SLURM_LOCAL_WHY="this machine's name $host does not resolve (no line in /etc/hosts): slurmd cannot register"; return 1; }
	mkdir -p "$dir/munge" "$dir/state" "$dir/spool" && chmod 0700 "$dir/munge" || return 1
	dir=$(cd "$dir" && pwd)
	mungekey --create --keyfile="$dir/munge/munge.key" 2> "$dir/mungekey.err" ||
		{ SLURM_LOCAL_WHY="mungekey failed: $(tail -1 "$dir/mungekey.err")"; return 1; }
	# -F: in the foreground, so that $! is munged itself; --force: as root.
	munged -F --force --socket="$dir/munge/munge.socket" --key-file="$dir/munge/munge.key" \
		--pid-file="$dir/munge/munged.pid" --log-file="$dir/munge/munged.log" \
		--seed-file="$dir/munge/munged.seed" > "$dir/munged.out" 2>&1 &
	SLURM_LOCAL_PIDS+=($!)
	_slurm_local_wait 10 test -S "$dir/munge/munge.socket" ||
		{ SLURM_LOCAL_WHY="munged did not start: $(tail -2 "$dir/munge/munged.log" "$dir/munged.out" 2>/dev/null | tr '\n' ' ')"; return 1; }
	local mem
	mem=$(awk '/^MemTotal:/ { printf "%d", $2 / 1024 * 0.8 }' /proc/meminfo)
	cat > "$dir/slurm.conf" <<-CONF
	ClusterName=tlblocal
	SlurmctldHost=$host
	SlurmctldPort=$(_slurm_local_port 0)
	SlurmdPort=$(_slurm_local_port 1)
	SrunPortRange=$(_slurm_local_port 2)-$(( $(_slurm_local_port 2) + 50 ))
	AuthType=auth/munge
	CredType=cred/munge
	AuthInfo=socket=$dir/munge/munge.socket
	SlurmUser=root
	SlurmdUser=root
	StateSaveLocation=$dir/state
	SlurmdSpoolDir=$dir/spool
	SlurmctldPidFile=$dir/slurmctld.pid
	SlurmdPidFile=$dir/slurmd.pid
	SlurmctldLogFile=$dir/slurmctld.log
	SlurmdLogFile=$dir/slurmd.log
	ProctrackType=proctrack/linuxproc
	TaskPlugin=task/none
	MpiDefault=none
	SwitchType=switch/none
	JobAcctGatherType=jobacct_gather/none
	AccountingStorageType=accounting_storage/none
	JobCompType=jobcomp/none
	SelectType=select/cons_tres
	SelectTypeParameters=CR_Core
	ReturnToService=2
	SlurmdParameters=config_overrides
	InactiveLimit=0
	KillWait=5
	MinJobAge=300
	NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
	PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
	${SLURM_LOCAL_EXTRA:-}
	CONF
	export SLURM_CONF=$dir/slurm.conf
	slurmctld -D -c -f "$SLURM_CONF" > "$dir/slurmctld.out" 2>&1 &
	SLURM_LOCAL_PIDS+=($!)
	slurmd -D -f "$SLURM_CONF" > "$dir/slurmd.out" 2>&1 &
	SLURM_LOCAL_PIDS+=($!)
	_slurm_local_wait 30 sh -c 'sinfo -h -o %T | grep -qx idle' || {
		SLURM_LOCAL_WHY="the node did not come up idle: $(tail -3 "$dir/slurmctld.log" "$dir/slurmd.log" 2>/dev/null | tr '\n' ' ' | cut -c1-400)"
		return 1; }
	return 0
}

slurm_local_stop() {
	local i pid spool=${SLURM_CONF%/*}/spool
	# Jobs of this cluster still queued or running are cancelled; then the step daemons
	# (slurmstepd, started by slurmd, not children of ours) are given time to finish:
	# each holds a socket in the spool dir until it exits.
	if [ ${#SLURM_LOCAL_PIDS[@]} -ge 3 ]; then
		squeue -h -o %A 2> /dev/null | xargs -r scancel 2> /dev/null
		_slurm_local_wait 20 sh -c '! ls "$1" | grep -qE "_[0-9]+\.(batch|extern|[0-9]+)$"' _ "$spool"
	fi
	# slurmd, slurmctld, munged: the reverse of their start.
	for ((i = ${#SLURM_LOCAL_PIDS[@]} - 1; i >= 0; i--)); do
		pid=${SLURM_LOCAL_PIDS[$i]}
		kill -TERM "$pid" 2> /dev/null || continue
		_slurm_local_wait 15 sh -c "! kill -0 $pid" || kill -KILL "$pid" 2> /dev/null
		wait "$pid" 2> /dev/null
	done
	SLURM_LOCAL_PIDS=()
}
