#!/usr/bin/env bash
# check-wine.sh (make windows-check) runs what make package-windows built on
# Windows code paths, under Wine from Debian's packages, in a throwaway Wine
# prefix made for this run in a temporary folder:
#   1. the prefix: 64-bit, Windows 10 (winecfg /v win10), LANG=C.UTF-8, a
#      user whose profile path holds a space and Cyrillic letters;
#   2. the signed installer, silently (/S): the files (the same bytes as
#      dist/windows, signatures verify), the shortcuts, the uninstaller's
#      registry entry in the 64-bit view;
#   3. paydeskctl.exe from the installed folder through a training day with
#      the data folder in that profile: training keys, simulator and TCP
#      emulator, a cashier added, shift open, payments paid, refused and two
#      whose answer is lost (one resolves paid, one not paid), X report,
#      the commission report, shift close, db backup, db check against the
#      register and the network;
#   4. the register emulator as its own process on TCP (kkm-emu --tcp) and
#      kkm status against it; the gateway simulator as its own process, its
#      signed answer verified with the key it made;
#   5. kill-and-restart: paydeskctl.exe killed (TerminateProcess) at steps of
#      a payment, restarted, and exactly-once checked as on Linux; the soak
#      (random faults, workers killed at random, reconciliation);
#   6. paydesk.exe under Xvfb with Mesa: the sign-in screen drawn (SHOT=FILE
#      keeps the screenshot), paydeskctl refused beside it (the database
#      lock across processes), taskkill /F, the lock released;
#   7. the silent uninstall: files, shortcuts and registry entry gone, the
#      user's data folder kept byte for byte.
# Wine 8.0 lacks bcryptprimitives.dll (ProcessPrng), without which every Go
# 1.22+ program dies at start: the check builds packaging/wine/
# bcryptprimitives.c with mingw-w64 into its temporary folder and copies it
# into the test prefix's system32, nowhere else.
# The last line counts what was checked. KEEP=1 keeps the temporary folder.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need wine wine64 gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64 osslsigncode xvfb imagemagick \
  libgl1 libglx-mesa0 libgl1-mesa-dri libxcursor1 libxi6 libxinerama1 libxrandr2 libxrender1

t0=$(date +%s)
ver=$(version)
setup=$DIST/PayDesk-$ver-setup.exe
bin=$DIST/windows
for f in "$setup" "$bin/paydesk.exe" "$bin/paydeskctl.exe"; do
  [[ -f $f ]] || { echo "windows-check: $f missing (make package-windows)" >&2; exit 1; }
done

checks=0
section=""
ok() { checks=$((checks + 1)); echo "windows-check: ok   [$section] $*"; }
fail() {
  echo "windows-check: FAIL [$section] $*" >&2
  summary="windows-check: FAILED after $checks checks passed, in $(($(date +%s) - t0)) s" summary_fd=2
  exit 1
}

tmp=$(mktemp -d /tmp/paydesk-wine.XXXXXX)
source "$ROOT/packaging/wine/prefix.sh"
wine_env "$tmp/prefix" "Кассир Смирнова 1" # C:\users\Кассир Смирнова 1\...
# The caller's PAYDESK_ settings would reach the Windows programs (Wine passes
# the environment on): none of them here.
for v in $(compgen -v PAYDESK_); do unset "$v"; done
xvfb=""
summary="" summary_fd=1
cleanup() {
  wineserver -k >/dev/null 2>&1 || true
  wineserver -w >/dev/null 2>&1 || true
  [[ -z $xvfb ]] || { kill "$xvfb" 2>/dev/null; wait "$xvfb" 2>/dev/null; } || true
  if [[ -n ${KEEP:-} ]]; then echo "windows-check: kept $tmp" >&2; else rm -rf "$tmp"; fi
  # The count last, after everything that might still print.
  [[ -z $summary ]] || echo "$summary" >&"${summary_fd:-1}"
}
trap cleanup EXIT

# ---- 1. the prefix --------------------------------------------------------
section=prefix
# An X server from the start: Wine's desktop process (explorer.exe), which
# the window's GLFW needs, is started by the first program of the prefix
# and keeps the display it was started with.
disp=""
for d in $(seq 140 199); do [[ -e /tmp/.X11-unix/X$d || -e /tmp/.X$d-lock ]] || { disp=$d; break; }; done
[[ -n $disp ]] || fail "no free X display"
Xvfb ":$disp" -screen 0 1366x768x24 -nolisten tcp >"$tmp/xvfb.log" 2>&1 &
xvfb=$!
for _ in $(seq 1 50); do [[ -e /tmp/.X11-unix/X$disp ]] && break; sleep 0.1; done
[[ -e /tmp/.X11-unix/X$disp ]] || fail "Xvfb :$disp did not start: $(cat "$tmp/xvfb.log")"
export DISPLAY=":$disp"
wine_prefix "$tmp/wineboot.log" || fail "the Wine prefix"
# One wineserver for the whole run: a server that ends when its last
# client does races the next command ("wine client error:0: recvmsg:
# Connection reset by peer").
wineserver -w
wineserver -p >"$tmp/wineserver.log" 2>&1
winever=$WINE_WINVER
ok "Wine $(wine --version 2>/dev/null), Windows $winever (winecfg /v win10), 64-bit prefix, LANG=$LANG"
c=$WINEPREFIX/drive_c
profile_w="C:\\users\\$USER"
profile=$c/users/$USER
[[ -d $profile ]] || fail "no profile folder $profile"
ok "profile $profile_w"
if [[ $WINE_STANDIN == yes ]]; then
  ok "bcryptprimitives.dll stand-in (ProcessPrng over RtlGenRandom) built and put in the test prefix's system32"
else
  ok "this Wine has its own bcryptprimitives.dll: no stand-in"
fi

# ---- 2. install -----------------------------------------------------------
section=install
cafile=${PAYDESK_SIGN_CAFILE:-}
if [[ -z $cafile ]]; then
  if [[ -z ${PAYDESK_SIGN_PFX:-}${PAYDESK_SIGN_CERT:-} && -f $DIST/sign/test-ca.pem ]]; then
    cafile=$DIST/sign/test-ca.pem
  else
    cafile=/etc/ssl/certs/ca-certificates.crt
  fi
fi
osslsigncode verify -CAfile "$cafile" -in "$setup" >/dev/null 2>&1 || fail "$(basename "$setup"): signature"
x86_64-w64-mingw32-objdump -f "$setup" | grep 'file format pei-x86-64' >/dev/null || fail "the installer is not a 64-bit executable"
ok "$(basename "$setup"): signed, 64-bit"
ti=$(date +%s)
wine "$setup" /S >"$tmp/setup.log" 2>&1 || { cat "$tmp/setup.log" >&2; fail "the silent install exited $?"; }
ok "silent install (/S) in $(($(date +%s) - ti)) s"
inst=$c/Program\ Files/PayDesk
inst_w='C:\Program Files\PayDesk'
[[ ! -e $c/Program\ Files\ \(x86\)/PayDesk ]] || fail "installed into Program Files (x86)"
for f in paydesk.exe paydeskctl.exe; do
  cmp -s "$bin/$f" "$inst/$f" || fail "$inst_w\\$f differs from dist/windows/$f"
  osslsigncode verify -CAfile "$cafile" -in "$inst/$f" >/dev/null 2>&1 || fail "$f: signature"
done
ok "paydesk.exe and paydeskctl.exe installed as built, signatures verify"
cmp -s "$ROOT/assets/icons/paydesk.ico" "$inst/paydesk.ico" || fail "paydesk.ico"
cmp -s "$ROOT/packaging/paydesk.example.yaml" "$inst/paydesk.example.yaml" || fail "paydesk.example.yaml"
ok "paydesk.ico and paydesk.example.yaml installed"
[[ -f $inst/uninstall.exe ]] || fail "no uninstall.exe"
osslsigncode verify -CAfile "$cafile" -in "$inst/uninstall.exe" >/dev/null 2>&1 || fail "uninstall.exe: signature"
ok "uninstall.exe written and signed"
extra=$(cd "$inst" && ls | grep -vxE 'paydesk\.exe|paydeskctl\.exe|paydesk\.ico|paydesk\.example\.yaml|uninstall\.exe' || true)
[[ -z $extra ]] || fail "unexpected files installed: $extra"
ok "nothing else in $inst_w"
lnk_target() { # a .lnk names its target in ANSI or UTF-16
  { x86_64-w64-mingw32-strings -a "$1"; x86_64-w64-mingw32-strings -a -el "$1"; } | grep -iF 'Program Files\PayDesk\paydesk.exe' >/dev/null
}
startlnk=$c/ProgramData/Microsoft/Windows/Start\ Menu/Programs/PayDesk/PayDesk.lnk
desklnk=$c/users/Public/Desktop/PayDesk.lnk
for l in "$startlnk" "$desklnk"; do
  [[ -f $l ]] || fail "no shortcut ${l#"$c"/}"
  lnk_target "$l" || fail "${l#"$c"/} does not point at paydesk.exe"
done
ok "shortcuts in the Start menu and on the desktop (all users) point at paydesk.exe"
ukey='HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall\ru.paydesk.cashier'
regq() { wine reg query "$@" 2>/dev/null | tr -d '\r'; }
entry=$(regq "$ukey" /reg:64) || fail "no uninstall entry $ukey"
val() { awk -v k="$1" '$1 == k { $1 = ""; $2 = ""; sub(/^ +/, ""); print }' <<<"$entry"; }
[[ $(val DisplayName) == PayDesk ]] || fail "DisplayName is '$(val DisplayName)'"
[[ $(val DisplayVersion) == "$ver" ]] || fail "DisplayVersion is '$(val DisplayVersion)', not $ver"
[[ $(val UninstallString) == "\"$inst_w\\uninstall.exe\"" ]] || fail "UninstallString is '$(val UninstallString)'"
[[ $(val QuietUninstallString) == "\"$inst_w\\uninstall.exe\" /S" ]] || fail "QuietUninstallString is '$(val QuietUninstallString)'"
[[ $(val InstallLocation) == "$inst_w" ]] || fail "InstallLocation is '$(val InstallLocation)'"
[[ $(val DisplayIcon) == "$inst_w\\paydesk.exe,0" ]] || fail "DisplayIcon is '$(val DisplayIcon)'"
ok "uninstall entry: DisplayName, DisplayVersion $ver, UninstallString, QuietUninstallString, InstallLocation, DisplayIcon"
! regq 'HKLM\Software\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall\ru.paydesk.cashier' >/dev/null ||
  fail "the uninstall entry is (also) in the 32-bit view"
ok "the entry is in the 64-bit registry view only"

# ---- 3. a training day ------------------------------------------------------
section=training
ctl_log=$tmp/ctl.log
# ctl ARGS...: paydeskctl.exe from the installed folder; stdout in $out
# (CR removed), stderr in $err, exit code in $rc. Extra environment in $ctl_env.
ctl() {
  rc=0
  env ${ctl_env:-} wine "$inst/paydeskctl.exe" "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
  out=$(tr -d '\r' <"$tmp/out")
  err=$(tr -d '\r' <"$tmp/err")
  printf '$ %spaydeskctl %s\n%s\n%s\nrc=%s\n' "${ctl_env:+$ctl_env }" "$*" "$out" "$err" "$rc" >>"$ctl_log"
}
expect() { # RC WHAT: the last ctl's exit code must be RC
  [[ $rc == "$1" ]] || { tail -n 40 "$ctl_log" >&2; fail "$2: exit $rc, not $1"; }
}
has() { # TEXT WHAT: the last ctl's stdout holds the line TEXT
  grep -qxF -- "$1" <<<"$out" || { tail -n 40 "$ctl_log" >&2; fail "$2: no line '$1'"; }
}
field() { sed -n "s/^$1=//p" <<<"$out" | head -1; }

ctl --help
expect 0 "--help"
grep -q 'shift open' <<<"$out$err" || fail "--help lists no shift open"
ok "paydeskctl.exe --help from $inst_w"

docs_w="$profile_w\\Documents\\Касса — файлы"
docs=$profile/Documents/Касса\ —\ файлы
mkdir -p "$docs/Резервные копии"
# PINs as Notepad writes them: CRLF at the end.
printf '1111\r\n' >"$docs/ПИН кассира.txt"
printf '222222\r\n' >"$docs/ПИН менеджера.txt"
printf '999999\r\n' >"$docs/ПИН администратора.txt"
printf '4321\r\n' >"$docs/ПИН Сергеевой.txt"
kassir=(--cashier kassir --pin-file "$docs_w\\ПИН кассира.txt")
manager=(--cashier manager --pin-file "$docs_w\\ПИН менеджера.txt")
data=$profile/AppData/Roaming/paydesk
data_w="$profile_w\\AppData\\Roaming\\paydesk"

ctl shift open "${kassir[@]}" --float 1000.00
expect 0 "shift open"
has shift=1 "shift open"
ok "shift open (a CRLF PIN file under a Cyrillic path): shift=1, device_shift=$(field device_shift)"
[[ -f $data/training.db ]] || fail "no training.db in $data_w"
ok "the books in $data_w\\training.db"
for k in secret.key pubkeys.key dealer.key bank_secret.key; do
  [[ -s $data/training/keys/$k ]] || fail "training key $k not made"
done
ok "training keys made in $data_w\\training\\keys"
ctl keys show "$data_w\\training\\keys\\pubkeys.key"
expect 0 "keys show"
grep -qi 'verif' <<<"$out" || fail "keys show: no certification verdict: $out"
ok "keys show on the training key: $(grep -i -m1 'verif' <<<"$out" | tr -s ' ')"
[[ -s $data/training/gateway-state.json && -s $data/training/kkm-state.json ]] || fail "simulator or emulator state not written"
ok "the simulator's and the TCP emulator's state in the data folder"

ctl cashier add --login sergeeva --name "Сергеева Мария Ивановна" --position "Кассир" --role cashier \
  --pin-file "$docs_w\\ПИН Сергеевой.txt" --admin admin --admin-pin-file "$docs_w\\ПИН администратора.txt"
expect 0 "cashier add"
grep -q 'Сергеева Мария Ивановна' <<<"$out" || fail "cashier add: $out"
ok "cashier added by the administrator (Cyrillic name round trip): $out"

pay() { ctl pay "$@" --provider mts; }
pay "${kassir[@]}" --number 9161234567 --amount 100.00
expect 0 "pay 9161234567"
has state=paid "pay 9161234567"
[[ -n $(field fiscal_sign) ]] || fail "paid without a fiscal sign"
ok "paid: session=$(field session) fiscal_doc=$(field fiscal_doc) fiscal_sign=$(field fiscal_sign)"
pay --cashier sergeeva --pin-file "$docs_w\\ПИН Сергеевой.txt" --number 9000000023 --amount 100.00
expect 1 "pay 9000000023"
has state=refused "pay 9000000023"
ok "refused by the operator (9000000023): exit 1, state=refused, by the new cashier"
pay "${kassir[@]}" --number 9000000502 --amount 150.00
expect 0 "pay 9000000502"
has state=paid "pay 9000000502"
ok "pay's answer lost, taken (…502): resolved by status to state=paid, fiscal_doc=$(field fiscal_doc)"
pay "${kassir[@]}" --number 9000000512 --amount 70.00
expect 1 "pay 9000000512"
has state=refused "pay 9000000512"
ok "pay's answer lost, not taken (…512): resolved by status as not paid, exit 1, no receipt"
ctl pending
expect 0 pending
has "pending=0 receipts=0" pending
ok "nothing pending"
ctl shift x "${kassir[@]}"
expect 0 "shift x"
has payments=2 "X report"
has amount=250.00 "X report"
has expected_cash=1250.00 "X report"
ok "X report: payments=2 amount=250.00 commission=$(field commission) expected_cash=1250.00"
today=$(date +%F)
ctl report commission "${manager[@]}" --from "$today" --to "$today"
expect 0 "report commission"
grep -qE '^total +2 +250\.00 ' <<<"$out" || fail "commission report: $out"
ok "commission report: $(grep '^total' <<<"$out" | tr -s ' ')"
ctl shift close "${kassir[@]}" --counted 1250.00
expect 1 "shift close by a cashier"
ok "shift close refused to a cashier (a manager's): $(head -1 <<<"$err")"
ctl shift close "${manager[@]}" --counted 1250.00
expect 0 "shift close"
ok "shift close by the manager (Z report)"
backup_w="$docs_w\\Резервные копии\\paydesk $today.db"
ctl db backup "$backup_w"
expect 0 "db backup"
[[ -s "$docs/Резервные копии/paydesk $today.db" ]] || fail "db backup wrote no file"
ok "db backup to $backup_w"
ctl db backup "$backup_w"
[[ $rc != 0 ]] || fail "db backup overwrote an existing file"
ok "db backup refuses to overwrite it (exit $rc)"
ctl db check
expect 0 "db check"
for l in integrity=ok audit=ok seal=ok; do has "$l" "db check"; done
ok "db check: integrity=ok audit=ok seal=ok, $(field sealed_rows) sealed rows"
ctl db check --device --network "${manager[@]}" --from "$today" --to "$today"
expect 0 "db check --device --network"
grep -q mismatch <<<"$out" && fail "db check --device --network: $out"
ok "db check --device --network: the books agree with the register and the network"

# A configuration as Notepad saves it: a UTF-8 BOM and CRLF, under a
# Cyrillic name; English proves it was read.
printf '\xef\xbb\xbftraining: true\r\nlanguage: en\r\n' >"$docs/настройки кассы.yaml"
printf '0000\r\n' >"$docs/неверный ПИН.txt"
cfg_w="$docs_w\\настройки кассы.yaml"
ctl shift x --config "$cfg_w" --cashier kassir --pin-file "$docs_w\\неверный ПИН.txt"
expect 1 "a wrong PIN"
grep -q '^paydeskctl: Wrong login or PIN' <<<"$err" || fail "the CRLF configuration was not read: $err"
ok "a configuration with a BOM and CRLF read (language: en): $(head -1 <<<"$err")"
ctl db check --config "$cfg_w"
expect 0 "db check --config"
has "database=$data_w\\training.db" "db check --config"
ok "with it the books are the same training.db"

# ---- 4. the emulator as its own process, on TCP -----------------------------
section=tcp
port=$((20000 + RANDOM % 20000))
emu_w="$docs_w\\эмулятор ККТ"
mkdir -p "$docs/эмулятор ККТ"
wine "$inst/paydeskctl.exe" kkm-emu --tcp "127.0.0.1:$port" --state "$emu_w\\state.json" --tape "$emu_w\\лента.txt" \
  >"$tmp/emu.out" 2>"$tmp/emu.err" &
emu=$!
for _ in $(seq 1 50); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.2
done
ctl kkm status --port "tcp://127.0.0.1:$port"
expect 0 "kkm status over TCP"
ok "kkm-emu --tcp as its own process, kkm status over TCP: $(grep -m1 '^model:' <<<"$out")"
ctl kkm print-test --port "tcp://127.0.0.1:$port"
expect 0 "kkm print-test over TCP"
sleep 0.5
[[ -s "$docs/эмулятор ККТ/лента.txt" ]] || fail "the emulator's tape (a Cyrillic file name) is empty"
ok "kkm print-test over TCP, the tape written to $emu_w\\лента.txt"
kill "$emu" 2>/dev/null || true
wait "$emu" 2>/dev/null || true

# The gateway simulator as its own process: training keys made in a
# Cyrillic folder, an answer signed by its bank key and verified by
# paydeskctl.exe verify with the public key it wrote.
gport=$((20000 + RANDOM % 20000))
[[ $gport != "$port" ]] || gport=$((gport + 1))
sim_w="$docs_w\\симулятор шлюза"
mkdir -p "$docs/симулятор шлюза"
wine "$inst/paydeskctl.exe" gateway-sim --listen "127.0.0.1:$gport" --state "$sim_w\\состояние.json" \
  --keys-dir "$sim_w\\ключи" >"$tmp/sim.out" 2>"$tmp/sim.err" &
simpid=$!
for _ in $(seq 1 100); do grep -q 'running' "$tmp/sim.out" 2>/dev/null && break; sleep 0.1; done
grep -q 'running' "$tmp/sim.out" || { cat "$tmp/sim.out" "$tmp/sim.err" >&2; fail "gateway-sim did not start"; }
[[ -s "$docs/симулятор шлюза/ключи/pubkeys.key" && -s "$docs/симулятор шлюза/ключи/secret.key" ]] ||
  fail "gateway-sim made no keys in $sim_w\\ключи"
ok "gateway-sim as its own process on 127.0.0.1:$gport, training keys made in $sim_w\\ключи"
exec 3<>"/dev/tcp/127.0.0.1/$gport"
printf 'POST /cgi-bin/status/get_rest.cgi HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n' >&3
cat <&3 >"$tmp/answer.http"
exec 3>&-
head -1 "$tmp/answer.http" | grep -q '^HTTP/1.[01] 200' || fail "gateway-sim answered: $(head -1 "$tmp/answer.http")"
grep -qi '^Content-Type: text/plain; charset=windows-1251' "$tmp/answer.http" || fail "the answer is not windows-1251 text"
sed '1,/^\r$/d' "$tmp/answer.http" >"$tmp/answer.body"
rc=0
wine "$inst/paydeskctl.exe" verify --pubkeys "$sim_w\\ключи\\pubkeys.key" <"$tmp/answer.body" >"$tmp/answer.msg" 2>"$tmp/verify.err" || rc=$?
[[ $rc == 0 ]] || fail "paydeskctl verify: exit $rc: $(tr -d '\r' <"$tmp/verify.err")"
grep -qa '^ERROR=' "$tmp/answer.msg" || fail "the verified message holds no ERROR="
ok "its answer (windows-1251, $(grep -a '^ERROR=' "$tmp/answer.msg" | tr -d '\r')) verifies with paydeskctl.exe verify and its bank key"
kill "$simpid" 2>/dev/null || true
wait "$simpid" 2>/dev/null || true

# ---- 5. kill and restart: exactly once ----------------------------------------
section=crash
ctl shift open "${kassir[@]}" --float 0.00
expect 0 "second shift open"
has shift=2 "second shift open"
# Killed at pay_sent the pay never left (status proves it not paid); killed
# at any later step the network took it: paid and fiscalized, exactly once.
paid=0 sum=0 i=0
for step in pay_sent pay_returned paid receipt_started fiscalized slip_printed; do
  i=$((i + 1))
  ctl_env="PAYDESK_TEST_KILL_AT=$step" pay "${kassir[@]}" --number 9161234567 --amount "1$i.00"
  # Killed, it never printed its outcome.
  if [[ $rc == 0 ]] || grep -q '^state=' <<<"$out"; then
    tail -n 12 "$ctl_log" >&2
    fail "killed at $step: it ran to the end (exit $rc)"
  fi
  killed_rc=$rc
  # A restart finishes what was in flight: the resolver, then the receipt.
  for _ in 1 2 3 4 5; do
    ctl pending --resolve "${kassir[@]}"
    [[ $rc == 0 ]] && grep -qx 'pending=0 receipts=0' <<<"$out" && break
    sleep 1
  done
  grep -qx 'pending=0 receipts=0' <<<"$out" || { tail -n 20 "$ctl_log" >&2; fail "killed at $step: still pending after restarts"; }
  if [[ $step != pay_sent ]]; then paid=$((paid + 1)) sum=$((sum + 10 + i)); fi
  ok "killed at $step (TerminateProcess, exit $killed_rc, no outcome printed), restarted: settled"
done
ctl shift x "${kassir[@]}"
expect 0 "shift x after the kills"
has "payments=$paid" "exactly once: $paid payments in the shift"
has "amount=$sum.00" "exactly once: the shift's amount"
ok "exactly once: the pay never sent is not paid, the $paid sent are paid once each ($sum.00 in the shift)"
ctl db check --device --network "${manager[@]}" --from "$today" --to "$today"
expect 0 "db check --device --network after the kills"
grep -q mismatch <<<"$out" && fail "after the kills: $out"
ok "after the kills the books, the register's archive and the network agree"
ctl db check
expect 0 "db check after the kills"
has seal=ok "db check after the kills"
ok "after the kills: seal=ok, audit=$(field audit)"
ctl shift close "${manager[@]}" --counted "$sum.00"
expect 0 "second shift close"
ok "second shift closed"

# The soak: training payments with random faults on both sides, the worker
# paydeskctl.exe killed (TerminateProcess) at random, shifts closed and
# opened, then the reconciliation to the kopeck, in a data folder of its own.
seed=${SOAK_SEED:-$RANDOM}
ctl soak --n "${SOAK_N:-40}" --seed "$seed" --shift 12 --data "$profile_w\\AppData\\Local\\проверка кассы"
expect 0 "soak --seed $seed"
has reconciliation=ok "soak --seed $seed"
kills=$(grep -o 'kills=[0-9]*' <<<"$out" | head -1)
[[ -n $kills && $kills != kills=0 ]] || fail "the soak killed nothing: $out"
ok "soak --seed $seed: $(grep -o 'payments=[0-9]* kills=[0-9]*' <<<"$out"), $(grep -o 'paid=[0-9]*' <<<"$out" | head -1) $(grep -o 'shifts=[0-9]*' <<<"$out" | head -1), reconciliation=ok"

# ---- 6. the window: paydesk.exe under Xvfb with Mesa's software OpenGL -----
section=window
LIBGL_ALWAYS_SOFTWARE=1 wine "$inst/paydesk.exe" >"$tmp/window.out" 2>"$tmp/window.err" &
window=$!
shot=$tmp/windows-signin.png
drawn=""
for _ in $(seq 1 60); do
  sleep 1
  import -window root "$shot" 2>/dev/null || continue
  # The sign-in screen is drawn when the screen is no longer one colour
  # and the window has been up a moment (fonts, the training banner).
  sd=$(convert "$shot" -format '%[fx:standard_deviation]' info: 2>/dev/null || echo 0)
  if awk -v s="$sd" 'BEGIN { exit !(s > 0.2) }'; then
    [[ -n $drawn ]] && break
    drawn=yes
  fi
done
[[ -n $drawn ]] || { tail -n 20 "$tmp/window.err" >&2; fail "paydesk.exe drew nothing in 60 s under Xvfb"; }
convert "$shot" -trim +repage "$shot"
ok "paydesk.exe drew its sign-in screen under Wine, Xvfb and Mesa ($(identify -format '%wx%h' "$shot"), standard deviation $sd)"
if [[ -n ${SHOT:-} ]]; then cp "$shot" "$SHOT" && ok "screenshot written to $SHOT"; fi
ctl shift x "${kassir[@]}"
[[ $rc != 0 ]] || fail "paydeskctl ran a till command beside the open window"
grep -qiE 'уже работает|already running' <<<"$err" || fail "beside the window: $err"
ok "beside the open window paydeskctl refuses the same books (exit $rc): $(head -1 <<<"$err")"
ctl db check
expect 0 "db check beside the window"
has seal=ok "db check beside the window"
ok "db check reads the books beside the window (read-only, no lock)"
wine taskkill /F /IM paydesk.exe >/dev/null 2>&1 || true
for _ in $(seq 1 50); do kill -0 "$window" 2>/dev/null || break; sleep 0.1; done
! kill -0 "$window" 2>/dev/null || fail "taskkill /F left paydesk.exe running"
ok "taskkill /F ended the window"
ctl shift x "${kassir[@]}"
[[ $rc == 1 ]] && grep -q 'смен' <<<"$err" || expect 0 "shift x after the window was killed"
ok "the lock went with the killed window: paydeskctl opens the books again"

# ---- 7. uninstall -------------------------------------------------------------
section=uninstall
before=$(cd "$data" && find . -type f ! -name '*.lock' -print0 | sort -z | xargs -0 sha256sum)
wine "$inst/uninstall.exe" /S >"$tmp/uninst.log" 2>&1 || { cat "$tmp/uninst.log" >&2; fail "the silent uninstall exited $?"; }
# The uninstaller copies itself to %TEMP% and runs from there: wait for
# it to remove the folder and then the registry entry.
for _ in $(seq 1 120); do
  [[ ! -e $inst ]] && ! regq "$ukey" /reg:64 >/dev/null && break
  sleep 0.5
done
[[ ! -e $inst ]] || fail "$inst_w left behind: $(ls "$inst")"
ok "silent uninstall (/S): $inst_w removed"
[[ ! -e $startlnk && ! -e $desklnk && ! -e ${startlnk%/*} ]] || fail "shortcuts left behind"
ok "shortcuts removed"
! regq "$ukey" /reg:64 >/dev/null || fail "the uninstall entry is left"
! regq 'HKLM\Software\PayDesk' /reg:64 >/dev/null || fail "HKLM\\Software\\PayDesk is left"
ok "the registry entries removed"
after=$(cd "$data" && find . -type f ! -name '*.lock' -print0 | sort -z | xargs -0 sha256sum)
[[ -n $before && $before == "$after" ]] || fail "the data folder changed on uninstall"
ok "the user's data folder kept byte for byte ($(wc -l <<<"$after") files, $data_w)"
[[ -s "$docs/Резервные копии/paydesk $today.db" ]] || fail "the backup is gone"
ok "the backup kept"

section=done
summary="windows-check: $checks checks passed (Wine $(wine --version 2>/dev/null), Windows $winever, PayDesk $ver) in $(($(date +%s) - t0)) s"
