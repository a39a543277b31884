# bash completion for vipctl(8). Installed as /usr/share/bash-completion/completions/vipctl.
# Commands and options are static (kept in sync with vipctl by tests/Vipctl.Tests); VIP and node names are asked
# from the running daemon (`vipctl vips -o json`, `vipctl members -o json`), quietly and only where one is expected.

# Names from the daemon: _vipctl_names vips|members, honouring a --socket given on the line.
_vipctl_names()
{
    local socket=() i
    for ((i = 1; i < ${#COMP_WORDS[@]} - 1; i++)); do
        if [[ ${COMP_WORDS[i]} == --socket ]]; then
            socket=(--socket "${COMP_WORDS[i + 1]}")
        fi
    done
    "${COMP_WORDS[0]}" "$1" -o json "${socket[@]}" 2>/dev/null |
        sed -n 's/^      "name": "\([^"]*\)",*$/\1/p'
}

_vipctl()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
    local global="--socket -o --output -h --help"
    COMPREPLY=()

    case $prev in
        --socket)
            COMPREPLY=($(compgen -f -- "$cur"))
            return
            ;;
        -o | --output)
            COMPREPLY=($(compgen -W "table json" -- "$cur"))
            return
            ;;
        --wait | --source | -s)
            return
            ;;
    esac

    # The command path so far and how many positional arguments it already has.
    local i word command="" sub="" positional=0
    for ((i = 1; i < COMP_CWORD; i++)); do
        word=${COMP_WORDS[i]}
        case $word in
            --socket | -o | --output | --wait | --source | -s)
                ((i++))
                continue
                ;;
            -*) continue ;;
        esac
        if [[ -z $command ]]; then
            command=$word
        elif [[ -z $sub && ($command == vip || $command == config) ]]; then
            sub=$word
        else
            ((positional++))
        fi
    done

    local words="" files=false
    case $command in
        "") words="status vips members explain watch drain undrain move maintenance reload vip config version --version" ;;
        status | members | watch | undrain | reload | version) words="" ;;
        vips) words="--source" ;;
        explain)
            ((positional == 0)) && words=$(_vipctl_names vips)
            ;;
        drain) words="--wait" ;;
        move)
            words="--clear"
            if ((positional == 0)); then
                words="$words $(_vipctl_names vips)"
            elif ((positional == 1)); then
                words="$words $(_vipctl_names members)"
            fi
            ;;
        maintenance)
            ((positional == 0)) && words="on off"
            ;;
        vip)
            case $sub in
                "") words="apply remove" ;;
                apply)
                    words="--source -s --replace -"
                    files=true
                    ;;
                remove) words="--source -s --all" ;;
            esac
            ;;
        config)
            case $sub in
                "") words="check" ;;
                check) files=true ;;
            esac
            ;;
    esac

    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$words $global" -- "$cur"))
        return
    fi
    local plain=() w
    for w in $words; do
        [[ $w == -?* ]] || plain+=("$w")
    done
    COMPREPLY=($(compgen -W "${plain[*]}" -- "$cur"))
    if $files; then
        COMPREPLY+=($(compgen -f -- "$cur"))
    fi
}

complete -F _vipctl vipctl
