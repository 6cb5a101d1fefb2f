# Fibonacci numbers with a bpf-to-bpf call, in the uBPF syntax of the conformance suite.
# Returns fib(r0 input byte) using a loop in a subprogram; the input block holds n in its first byte.
    ldxb %r1, [%r1]
    call local fib
    exit
fib:
    mov %r0, 0
    mov %r2, 1
loop:
    jeq %r1, 0, done
    mov %r3, %r0
    add %r3, %r2
    mov %r0, %r2
    mov %r2, %r3
    sub %r1, 1
    ja loop
done:
    exit
