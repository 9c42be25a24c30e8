; PayDesk installer (NSIS 3, built on Linux by packaging/windows.sh):
;   makensis -INPUTCHARSET UTF8 -DVERSION=0.1.0 -DVERSION4=0.1.0.0 -DBIN=dist/windows
;            -DROOT=. -DOUTFILE=dist/PayDesk-0.1.0-setup.exe [-DSIGN="cmd %1"] packaging/paydesk.nsi
; Installs for all users into Program Files, with start-menu and desktop
; shortcuts and an uninstaller. The cashier's data (%AppData%\paydesk: the
; database, settings, keys, logs) is kept on uninstall unless the user asks
; to remove it; a silent uninstall (/S) always keeps it.

; A 64-bit installer for a 64-bit program: it starts on any 64-bit Windows
; (and under wine64 alone, which cannot start a 32-bit one), writes to the
; 64-bit Program Files and registry (SetRegView 64 below) and needs no WOW64.
Target amd64-unicode
ManifestDPIAware true
SetCompressor /SOLID lzma
RequestExecutionLevel admin

!include "MUI2.nsh"
!include "x64.nsh"

!define APPNAME "PayDesk"
!define APPID "ru.paydesk.cashier"
!define PUBLISHER "PayDesk"
!define UNINSTKEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APPID}"

Name "${APPNAME}"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\${APPNAME}"
InstallDirRegKey HKLM "Software\${APPNAME}" "InstallDir"
BrandingText "${APPNAME} ${VERSION}"

VIProductVersion "${VERSION4}"
VIFileVersion "${VERSION4}"
VIAddVersionKey /LANG=0 "ProductName" "${APPNAME}"
VIAddVersionKey /LANG=0 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "FileDescription" "${APPNAME} ${VERSION} Setup"
VIAddVersionKey /LANG=0 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=0 "LegalCopyright" "© ${PUBLISHER}"

!ifdef SIGN
  ; Sign the uninstaller as makensis writes it, so it is signed inside the installer.
  !uninstfinalize '${SIGN}' = 0
!endif

!define MUI_ICON "${ROOT}\assets\icons\paydesk.ico"
!define MUI_UNICON "${ROOT}\assets\icons\paydesk.ico"
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\paydesk.exe"
!define MUI_LANGDLL_ALLLANGUAGES

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES

!insertmacro MUI_LANGUAGE "Russian"
!insertmacro MUI_LANGUAGE "English"

LangString DescShortcut ${LANG_RUSSIAN} "Касса приёма платежей"
LangString DescShortcut ${LANG_ENGLISH} "Payment acceptance cashier"
LangString AskRemoveData ${LANG_RUSSIAN} "Удалить также данные PayDesk (база платежей и чеков, настройки, ключи, журналы) в папке $APPDATA\paydesk?$\r$\n$\r$\nВыберите «Нет», чтобы сохранить их для повторной установки."
LangString AskRemoveData ${LANG_ENGLISH} "Also delete PayDesk's data (the payments and receipts database, settings, keys, logs) in $APPDATA\paydesk?$\r$\n$\r$\nChoose No to keep them for a later installation."
LangString Need64 ${LANG_RUSSIAN} "PayDesk работает только в 64-разрядной Windows."
LangString Need64 ${LANG_ENGLISH} "PayDesk needs 64-bit Windows."

Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_ICONSTOP "$(Need64)"
    Abort
  ${EndIf}
  SetRegView 64
  !insertmacro MUI_LANGDLL_DISPLAY
FunctionEnd

Function un.onInit
  SetRegView 64
  !insertmacro MUI_UNGETLANGUAGE
FunctionEnd

Section "PayDesk" SecMain
  SectionIn RO
  SetShellVarContext all
  SetOutPath "$INSTDIR"
  File "${BIN}\paydesk.exe"
  File "${BIN}\paydeskctl.exe"
  File "${ROOT}\assets\icons\paydesk.ico"
  File "${ROOT}\packaging\paydesk.example.yaml"

  CreateDirectory "$SMPROGRAMS\${APPNAME}"
  CreateShortcut "$SMPROGRAMS\${APPNAME}\${APPNAME}.lnk" "$INSTDIR\paydesk.exe" "" "$INSTDIR\paydesk.exe" 0 SW_SHOWNORMAL "" "$(DescShortcut)"
  CreateShortcut "$DESKTOP\${APPNAME}.lnk" "$INSTDIR\paydesk.exe" "" "$INSTDIR\paydesk.exe" 0 SW_SHOWNORMAL "" "$(DescShortcut)"

  WriteUninstaller "$INSTDIR\uninstall.exe"
  WriteRegStr HKLM "Software\${APPNAME}" "InstallDir" "$INSTDIR"
  WriteRegStr HKLM "${UNINSTKEY}" "DisplayName" "${APPNAME}"
  WriteRegStr HKLM "${UNINSTKEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINSTKEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKLM "${UNINSTKEY}" "DisplayIcon" "$INSTDIR\paydesk.exe,0"
  WriteRegStr HKLM "${UNINSTKEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINSTKEY}" "URLInfoAbout" "https://paydesk.ru"
  WriteRegStr HKLM "${UNINSTKEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKLM "${UNINSTKEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKLM "${UNINSTKEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINSTKEY}" "NoRepair" 1
  WriteRegDWORD HKLM "${UNINSTKEY}" "EstimatedSize" ${SIZEKB}
SectionEnd

Section "Uninstall"
  SetShellVarContext all
  Delete "$DESKTOP\${APPNAME}.lnk"
  Delete "$SMPROGRAMS\${APPNAME}\${APPNAME}.lnk"
  RMDir "$SMPROGRAMS\${APPNAME}"
  Delete "$INSTDIR\paydesk.exe"
  Delete "$INSTDIR\paydeskctl.exe"
  Delete "$INSTDIR\paydesk.ico"
  Delete "$INSTDIR\paydesk.example.yaml"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegKey HKLM "${UNINSTKEY}"
  DeleteRegKey HKLM "Software\${APPNAME}"

  ; The user's data: kept unless the user says otherwise (never in silent mode).
  SetShellVarContext current
  IfFileExists "$APPDATA\paydesk\*.*" 0 done
  MessageBox MB_YESNO|MB_ICONQUESTION|MB_DEFBUTTON2 "$(AskRemoveData)" /SD IDNO IDNO done
  RMDir /r "$APPDATA\paydesk"
  done:
SectionEnd
