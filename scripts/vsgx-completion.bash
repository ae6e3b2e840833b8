# SPDX-License-Identifier: MIT
# Bash completion for vsgx: its verbs, each verb's options, and the files
# each option or operand takes. Installed as
# $datadir/bash-completion/completions/vsgx; to try it from a clone:
#   source scripts/vsgx-completion.bash

_vsgx_files() {
	# _vsgx_files GLOB...: files matching a GLOB, and directories to walk into.
	local IFS=$'\n' glob
	for glob in "$@"; do
		COMPREPLY+=($(compgen -f -X "!$glob" -- "$cur"))
	done
	COMPREPLY+=($(compgen -d -- "$cur"))
}

_vsgx() {
	local cur prev verb i opts
	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	verb=
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-*) ;;
		*)
			verb=${COMP_WORDS[i]}
			break
			;;
		esac
	done

	if [[ -z $verb ]]; then
		COMPREPLY=($(compgen -W "run monitor measure sign einit trace vm cpuid version
			--help --version" -- "$cur"))
		return
	fi

	# Options that take a value.
	case $prev in
	--vectors)
		COMPREPLY=($(compgen -d -- "$cur"))
		return
		;;
	--json | -o | --output)
		COMPREPLY=($(compgen -f -- "$cur"))
		return
		;;
	-k | --key)
		_vsgx_files '*.pem'
		return
		;;
	--qmp)
		COMPREPLY=($(compgen -W "unix:" -- "$cur"))
		compopt -o nospace 2>/dev/null
		return
		;;
	--host | --lehash | --vendor | --date | --attributes | --attributes-mask | --xfrm | \
		--xfrm-mask | --miscselect | --miscmask | --isvprodid | --isvsvn | --swdefined)
		return
		;;
	esac

	case $verb in
	run) opts="--json --vectors --quiet --explain --help" ;;
	monitor) opts="--json --vectors --qmp --help" ;;
	measure) opts="--json --help" ;;
	sign) opts="--key --output --vendor --date --attributes --attributes-mask --xfrm
		--xfrm-mask --miscselect --miscmask --isvprodid --isvsvn --swdefined --help" ;;
	einit) opts="--flc --lehash --help" ;;
	trace) opts="--json --vectors --quiet --help" ;;
	vm | cpuid) opts="--host --strict --json --help" ;;
	*) return ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		return
	fi
	case $verb in
	run) _vsgx_files '*.vsgx' ;;
	trace) _vsgx_files '*.trace' ;;
	measure | sign) _vsgx_files '*.sgxs' ;;
	einit) _vsgx_files '*.sgxs' '*.sig' ;;
	vm)
		if [[ $COMP_CWORD -eq $((i + 1)) ]]; then
			COMPREPLY=($(compgen -W "layout" -- "$cur"))
		else
			COMPREPLY=($(compgen -f -- "$cur"))
		fi
		;;
	cpuid) COMPREPLY=($(compgen -f -- "$cur")) ;;
	esac
}

complete -o filenames -F _vsgx vsgx
