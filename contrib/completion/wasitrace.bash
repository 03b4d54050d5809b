# bash completion for wasitrace.
# The commands and options come from `wasitrace --help` and
# `wasitrace COMMAND --help` at completion time, so they never fall behind
# the tool installed.

_wasitrace_words() {
  # Every -x / --long-option the help text prints, without its argument.
  "$1" "${@:2}" --help 2>/dev/null |
    grep -oE '(^|[ ,[])--?[a-zA-Z][a-zA-Z0-9-]*(=|\[=)?' |
    sed -E 's/^[ ,[]//; s/\[=$/=/' | sort -u
}

_wasitrace() {
  local cur prev tool cmd="" i
  COMPREPLY=()
  cur=${COMP_WORDS[COMP_CWORD]}
  prev=${COMP_WORDS[COMP_CWORD - 1]}
  tool=${COMP_WORDS[0]}

  for ((i = 1; i < COMP_CWORD; i++)); do
    case ${COMP_WORDS[i]} in
      -*) ;;
      *) cmd=${COMP_WORDS[i]}; break ;;
    esac
  done

  if [[ -z $cmd ]]; then
    local cmds
    cmds=$("$tool" --help 2>/dev/null |
      sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p')
    COMPREPLY=($(compgen -W "$cmds --help --version" -- "$cur"))
    return
  fi

  case $cmd in
    cache)
      ((COMP_CWORD == i + 1)) &&
        COMPREPLY=($(compgen -W "dir ls gc clear" -- "$cur"))
      return ;;
  esac

  case $prev in
    --dir) compopt -o nospace 2>/dev/null; COMPREPLY=($(compgen -d -- "$cur")); return ;;
    -o | --output) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --format) COMPREPLY=($(compgen -W "sqlite jsonl" -- "$cur")); return ;;
    --capture) COMPREPLY=($(compgen -W "replay full meta" -- "$cur")); return ;;
    --tier) COMPREPLY=($(compgen -W "auto fast optimized" -- "$cur")); return ;;
    -O | --opt-level) COMPREPLY=($(compgen -W "0 1 2 3 s" -- "$cur")); return ;;
    --on-record-error) COMPREPLY=($(compgen -W "stop continue" -- "$cur")); return ;;
    --sort) COMPREPLY=($(compgen -W "time calls errors name" -- "$cur")); return ;;
    --color) COMPREPLY=($(compgen -W "auto always never" -- "$cur")); return ;;
    --env | --tcplisten | -s | --call | -e | --fd | --path | --errno | --seq | \
      --time | --history | -j | --jobs | --max-call-depth | --compile-timeout)
      return ;;
  esac

  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$(_wasitrace_words "$tool" "$cmd")" -- "$cur"))
    [[ ${COMPREPLY[0]} == *= ]] && compopt -o nospace 2>/dev/null
    return
  fi
  # Operands: modules for the commands that run one, traces for the rest.
  case $cmd in
    run | record | compile)
      COMPREPLY=($(compgen -f -X '!*.wasm' -- "$cur") $(compgen -f -X '!*.wat' -- "$cur")
        $(compgen -d -- "$cur")) ;;
    *)
      COMPREPLY=($(compgen -f -- "$cur")) ;;
  esac
}
complete -F _wasitrace wasitrace
