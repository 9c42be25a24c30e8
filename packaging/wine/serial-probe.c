/*
 * serial-probe.c: why PayDesk's serial port gets no answer under Wine 8.0
 * (README, "Windows, proven"). It writes ENQ to a COM port and reads the
 * answer in one of three ways:
 *   0  a synchronous handle, ReadTotalTimeoutConstant 1000 ms
 *   2  a synchronous handle, go.bug.st/serial's timeouts (ReadIntervalTimeout
 *      and ReadTotalTimeoutMultiplier MAXDWORD, constant 1000 ms: "return
 *      as soon as a byte is there, else wait for one up to the constant")
 *   1  an overlapped handle (FILE_FLAG_OVERLAPPED) with those timeouts, as
 *      go.bug.st/serial opens and reads every port
 * Reproduce (Linux emulator on a pty, the pty as COM5 of a prefix):
 *   paydeskctl kkm-emu --pty /tmp/kkm &
 *   ln -s "$(readlink /tmp/kkm)" "$WINEPREFIX/dosdevices/com5"
 *   x86_64-w64-mingw32-gcc -O2 -o serial-probe.exe serial-probe.c
 *   wine serial-probe.exe COM5 0; wine serial-probe.exe COM5 2; wine serial-probe.exe COM5 1
 * Seen with Wine 8.0 (Debian 8.0~repack-4): modes 0 and 2 read the
 * register's NAK (15), mode 2 only after the full 1000 ms; mode 1 never
 * completes (WaitForSingleObject times out after 5 s, the byte unread).
 */
#include <windows.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: serial-probe COMn 0|1|2\n");
        return 2;
    }
    int overlapped = argv[2][0] == '1', maxdword = argv[2][0] != '0';
    char path[64];
    snprintf(path, sizeof path, "\\\\.\\%s", argv[1]);
    HANDLE h = CreateFileA(path, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
                           overlapped ? FILE_FLAG_OVERLAPPED : 0, NULL);
    if (h == INVALID_HANDLE_VALUE) {
        printf("open: error %lu\n", GetLastError());
        return 1;
    }
    DCB d = {0};
    d.DCBlength = sizeof d;
    GetCommState(h, &d);
    d.BaudRate = 115200, d.ByteSize = 8, d.Parity = NOPARITY, d.StopBits = ONESTOPBIT, d.fBinary = 1;
    d.fDtrControl = DTR_CONTROL_ENABLE, d.fRtsControl = RTS_CONTROL_ENABLE;
    COMMTIMEOUTS t = {0};
    t.ReadTotalTimeoutConstant = 1000;
    if (maxdword)
        t.ReadIntervalTimeout = MAXDWORD, t.ReadTotalTimeoutMultiplier = MAXDWORD;
    printf("SetCommState=%d SetCommTimeouts=%d\n", SetCommState(h, &d), SetCommTimeouts(h, &t));
    unsigned char enq = 0x05, buf[64];
    DWORD n = 0;
    OVERLAPPED o = {0};
    o.hEvent = CreateEvent(NULL, TRUE, FALSE, NULL);
    BOOL ok = WriteFile(h, &enq, 1, &n, overlapped ? &o : NULL);
    if (!ok && GetLastError() == ERROR_IO_PENDING)
        ok = GetOverlappedResult(h, &o, &n, TRUE);
    printf("write ok=%d n=%lu\n", ok, n);
    ResetEvent(o.hEvent);
    n = 0;
    DWORD t0 = GetTickCount();
    ok = ReadFile(h, buf, sizeof buf, &n, overlapped ? &o : NULL);
    if (!ok && GetLastError() == ERROR_IO_PENDING) {
        DWORD w = WaitForSingleObject(o.hEvent, 5000);
        printf("wait=%s\n", w == WAIT_OBJECT_0 ? "done" : "timed out");
        if (w == WAIT_OBJECT_0)
            ok = GetOverlappedResult(h, &o, &n, FALSE);
    }
    printf("read ok=%d n=%lu in %lu ms:", ok, n, GetTickCount() - t0);
    for (DWORD i = 0; i < n; i++)
        printf(" %02x", buf[i]);
    printf("\n");
    CloseHandle(h);
    return 0;
}
