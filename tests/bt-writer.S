/* bt-writer.S - bt_writer(p): one store to *p, 7 bytes into the function.
 * Built twice for bt-oracle: with -DBIG it keeps 0x108 bytes of stack
 * around the store (the return address is at rsp+0x108 there), without it
 * the same bytes are a nop (the return address is at rsp).  Loaded one
 * after the other at the same address, the store has the same address in
 * both but not the same unwind rule: an unwinder that keeps rules by
 * address across a dlclose gets the second backtrace wrong. */
	.text
	.globl bt_writer
	.type bt_writer, @function
bt_writer:
	.cfi_startproc
#ifdef BIG
	sub $0x108, %rsp
	.cfi_adjust_cfa_offset 0x108
#else
	.byte 0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00	/* 7-byte nop */
#endif
	movb $2, (%rdi)
#ifdef BIG
	add $0x108, %rsp
	.cfi_adjust_cfa_offset -0x108
#endif
	ret
	.cfi_endproc
	.size bt_writer, .-bt_writer
	.section .note.GNU-stack, "", @progbits
