# AVX2 stand-ins for the AVX-512 instructions in moonshine-cpp 0.1.4's libmoonshine.so
# (built for x86-64-v4), written into the padding after .text at 0xe920 by patch-avx2. Each
# block ends with a jump back past the instruction(s) it replaces. Its bytes (TRAMPOLINES in
# patch-avx2) are reproduced by:
#   as --64 -o t.o avx2-trampolines.s && ld -Ttext=0xe920 --oformat binary -o t.bin t.o && xxd -p t.bin
        .text
        .globl _start
_start:
# vpbroadcastq %rax,%xmm0 at 0x5505, 0x6b05, 0x804d, 0x99c0, 0xcef8; %rdi at 0x614d; %rcx at 0x988b
        .macro bcast reg, site
        .balign 16
        vmovq \reg, %xmm0
        vpbroadcastq %xmm0, %xmm0
        jmp \site + 6
        .endm
        bcast %rax, 0x5505
        bcast %rdi, 0x614d
        bcast %rax, 0x6b05
        bcast %rax, 0x804d
        bcast %rcx, 0x988b
        bcast %rax, 0x99c0
        bcast %rax, 0xcef8
# get_cstr_array: three vpermt2q (0x6589..0x659d) gather every fourth qword:
# ymm0 = [q(rax), q(rax+0x20), q(rax+0x40), q(rax+0x60)] (ymm1 is dead after the loop)
        .balign 16
        vmovq (%rax), %xmm0
        vpinsrq $1, 0x20(%rax), %xmm0, %xmm0
        vmovq 0x40(%rax), %xmm1
        vpinsrq $1, 0x60(%rax), %xmm1, %xmm1
        vinserti128 $1, %xmm1, %ymm0, %ymm0
        jmp 0x659d
# vcvtusi2ssq -0x430(%rbp),%xmm0,%xmm0 at 0xc659 (10 bytes): unsigned 64-bit to float
        .balign 16
        lea -128(%rsp), %rsp            # keep the red zone
        push %rax
        pushfq
        mov -0x430(%rbp), %rax
        test %rax, %rax
        js 1f
        vcvtsi2ssq %rax, %xmm0, %xmm0
        jmp 2f
1:      push %rcx
        mov %rax, %rcx
        shr $1, %rax
        and $1, %ecx
        or %rcx, %rax
        vcvtsi2ssq %rax, %xmm0, %xmm0
        vaddss %xmm0, %xmm0, %xmm0
        pop %rcx
2:      popfq
        pop %rax
        lea 128(%rsp), %rsp
        jmp 0xc663
