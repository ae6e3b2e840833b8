/* SPDX-License-Identifier: MIT */
/*
 * Architectural definitions of Intel SGX, as the Software Developer's Manual
 * (Vol. 3D, chapters 36-38) states them. Only what the hardware defines lives
 * here: structure layouts, page types, return codes, leaf numbers, bits and
 * MSR numbers. Nothing that vsgx itself invents belongs in this file.
 *
 * All multi-byte fields are little-endian. Every structure has its size and
 * the offset of every named field pinned with _Static_assert, so a layout
 * mistake is a build failure rather than a wrong MRENCLAVE.
 */
#ifndef VSGX_ARCH_H
#define VSGX_ARCH_H

#include <stddef.h>
#include <stdint.h>

#define SGX_PAGE_SHIFT	     12
#define SGX_PAGE_SIZE	     4096ULL
#define SGX_PAGE_MASK	     (~(SGX_PAGE_SIZE - 1))
#define SGX_EEXTEND_CHUNK    256
#define SGX_MODULUS_SIZE     384
#define SGX_HASH_SIZE	     32
#define SGX_CPUSVN_SIZE	     16
#define SGX_KEYID_SIZE	     32
#define SGX_MAC_SIZE	     16
#define SGX_VA_SLOTS	     512
#define SGX_MAX_EPC_SECTIONS 8

/* ENCLS leaf numbers (EAX). */
enum sgx_encls_leaf {
	SGX_ECREATE = 0x00,
	SGX_EADD = 0x01,
	SGX_EINIT = 0x02,
	SGX_EREMOVE = 0x03,
	SGX_EDBGRD = 0x04,
	SGX_EDBGWR = 0x05,
	SGX_EEXTEND = 0x06,
	SGX_ELDB = 0x07,
	SGX_ELDU = 0x08,
	SGX_EBLOCK = 0x09,
	SGX_EPA = 0x0a,
	SGX_EWB = 0x0b,
	SGX_ETRACK = 0x0c,
	SGX_EAUG = 0x0d,
	SGX_EMODPR = 0x0e,
	SGX_EMODT = 0x0f,
	SGX_ERDINFO = 0x10,
	SGX_ETRACKC = 0x11,
	SGX_ELDBC = 0x12,
	SGX_ELDUC = 0x13,
	SGX_ENCLS_LEAF_MAX,
};

/* ENCLU leaf numbers (EAX). */
enum sgx_enclu_leaf {
	SGX_EREPORT = 0x00,
	SGX_EGETKEY = 0x01,
	SGX_EENTER = 0x02,
	SGX_ERESUME = 0x03,
	SGX_EEXIT = 0x04,
	SGX_EACCEPT = 0x05,
	SGX_EMODPE = 0x06,
	SGX_EACCEPTCOPY = 0x07,
	SGX_EVERIFYREPORT2 = 0x08,
	SGX_EDECCSSA = 0x09,
	SGX_ENCLU_LEAF_MAX,
};

/* ENCLV leaf numbers (EAX): the EPC Oversubscription Extensions' VMM leaves. */
enum sgx_enclv_leaf {
	SGX_EDECVIRTCHILD = 0x00,
	SGX_EINCVIRTCHILD = 0x01,
	SGX_ESETCONTEXT = 0x02,
	SGX_ENCLV_LEAF_MAX,
};

/* Return codes in RAX (SDM Table 38-4). */
enum sgx_return_code {
	SGX_SUCCESS = 0,
	SGX_INVALID_SIG_STRUCT = 1,
	SGX_INVALID_ATTRIBUTE = 2,
	SGX_BLKSTATE = 3,
	SGX_INVALID_MEASUREMENT = 4,
	SGX_NOTBLOCKABLE = 5,
	SGX_PG_INVLD = 6,
	SGX_EPC_PAGE_CONFLICT = 7,
	SGX_INVALID_SIGNATURE = 8,
	SGX_MAC_COMPARE_FAIL = 9,
	SGX_PAGE_NOT_BLOCKED = 10,
	SGX_NOT_TRACKED = 11,
	SGX_VA_SLOT_OCCUPIED = 12,
	SGX_CHILD_PRESENT = 13,
	SGX_ENCLAVE_ACT = 14,
	SGX_ENTRYEPOCH_LOCKED = 15,
	SGX_INVALID_EINITTOKEN = 16,
	SGX_PREV_TRK_INCMPL = 17,
	SGX_PG_IS_SECS = 18,
	SGX_PAGE_ATTRIBUTES_MISMATCH = 19,
	SGX_PAGE_NOT_MODIFIABLE = 20,
	SGX_PAGE_NOT_DEBUGGABLE = 21,
	SGX_INVALID_COUNTER = 25,
	SGX_PG_NONEPC = 26,
	SGX_TRACK_NOT_REQUIRED = 27,
	SGX_INVALID_CPUSVN = 32,
	SGX_INVALID_ISVSVN = 64,
	SGX_UNMASKED_EVENT = 128,
	SGX_INVALID_KEYNAME = 256,
};

/* Exception vectors an SGX leaf can raise, and #PF error-code bits. */
#define X86_TRAP_DE  0
#define X86_TRAP_DB  1
#define X86_TRAP_BP  3
#define X86_TRAP_BR  5
#define X86_TRAP_UD  6
#define X86_TRAP_NM  7
#define X86_TRAP_GP  13
#define X86_TRAP_PF  14
#define X86_TRAP_MF  16
#define X86_TRAP_AC  17
#define X86_TRAP_MC  18 /* machine check: an access to poisoned memory */
#define X86_TRAP_XF  19
#define X86_PF_PROT  (1u << 0)
#define X86_PF_WRITE (1u << 1)
#define X86_PF_USER  (1u << 2)
#define X86_PF_INSTR (1u << 4)
#define X86_PF_SGX   (1u << 15)

/* EPCM page types: EPCM.PT and SECINFO.FLAGS[15:8]. */
enum sgx_page_type {
	SGX_PT_SECS = 0,
	SGX_PT_TCS = 1,
	SGX_PT_REG = 2,
	SGX_PT_VA = 3,
	SGX_PT_TRIM = 4,
	SGX_PT_SS_FIRST = 5,
	SGX_PT_SS_REST = 6,
	SGX_PT_MAX,
};

/* SECINFO.FLAGS. */
#define SGX_SECINFO_R		  (1ULL << 0)
#define SGX_SECINFO_W		  (1ULL << 1)
#define SGX_SECINFO_X		  (1ULL << 2)
#define SGX_SECINFO_PENDING	  (1ULL << 3)
#define SGX_SECINFO_MODIFIED	  (1ULL << 4)
#define SGX_SECINFO_PR		  (1ULL << 5)
#define SGX_SECINFO_PERM_MASK	  (SGX_SECINFO_R | SGX_SECINFO_W | SGX_SECINFO_X)
#define SGX_SECINFO_PT_SHIFT	  8
#define SGX_SECINFO_PT_MASK	  (0xffULL << SGX_SECINFO_PT_SHIFT)
#define SGX_SECINFO_RESERVED_MASK (~(0x3fULL | SGX_SECINFO_PT_MASK))
#define SGX_SECINFO_PT(pt)	  ((uint64_t)(pt) << SGX_SECINFO_PT_SHIFT)
#define SGX_SECINFO_TO_PT(f)	  ((unsigned)(((f)&SGX_SECINFO_PT_MASK) >> SGX_SECINFO_PT_SHIFT))

/* SECS.ATTRIBUTES.FLAGS. */
#define SGX_ATTR_INIT	       (1ULL << 0)
#define SGX_ATTR_DEBUG	       (1ULL << 1)
#define SGX_ATTR_MODE64BIT     (1ULL << 2)
#define SGX_ATTR_PROVISIONKEY  (1ULL << 4)
#define SGX_ATTR_EINITTOKENKEY (1ULL << 5)
#define SGX_ATTR_CET	       (1ULL << 6)
#define SGX_ATTR_KSS	       (1ULL << 7)
#define SGX_ATTR_AEXNOTIFY     (1ULL << 10)
/* The only "controlled" attribute EINIT checks against the LE key hash. */
#define SGX_ATTR_CONTROLLED SGX_ATTR_EINITTOKENKEY

/* SECS.ATTRIBUTES.XFRM (XCR0 components). */
#define SGX_XFRM_X87	   (1ULL << 0)
#define SGX_XFRM_SSE	   (1ULL << 1)
#define SGX_XFRM_AVX	   (1ULL << 2)
#define SGX_XFRM_BNDREGS   (1ULL << 3)
#define SGX_XFRM_BNDCSR	   (1ULL << 4)
#define SGX_XFRM_OPMASK	   (1ULL << 5)
#define SGX_XFRM_ZMM_HI256 (1ULL << 6)
#define SGX_XFRM_HI16_ZMM  (1ULL << 7)
#define SGX_XFRM_PKRU	   (1ULL << 9)
#define SGX_XFRM_TILECFG   (1ULL << 17)
#define SGX_XFRM_TILEDATA  (1ULL << 18)
#define SGX_XFRM_LEGACY	   (SGX_XFRM_X87 | SGX_XFRM_SSE)
#define SGX_XFRM_MPX	   (SGX_XFRM_BNDREGS | SGX_XFRM_BNDCSR)
#define SGX_XFRM_AVX512	   (SGX_XFRM_OPMASK | SGX_XFRM_ZMM_HI256 | SGX_XFRM_HI16_ZMM)
#define SGX_XFRM_AMX	   (SGX_XFRM_TILECFG | SGX_XFRM_TILEDATA)

/* MISCSELECT. */
#define SGX_MISC_EXINFO (1u << 0)
#define SGX_MISC_CPINFO (1u << 1)

/* TCS.FLAGS. */
#define SGX_TCS_DBGOPTIN      (1ULL << 0)
#define SGX_TCS_AEXNOTIFY     (1ULL << 1)
#define SGX_TCS_RESERVED_MASK (~3ULL)

/* EINITTOKEN.VALID. */
#define SGX_EINITTOKEN_VALID (1u << 0)

/* KEYREQUEST.KEYNAME and KEYPOLICY. */
enum sgx_key_name {
	SGX_KEY_EINITTOKEN = 0,
	SGX_KEY_PROVISION = 1,
	SGX_KEY_PROVISION_SEAL = 2,
	SGX_KEY_REPORT = 3,
	SGX_KEY_SEAL = 4,
};
#define SGX_KEYPOLICY_MRENCLAVE	   (1u << 0)
#define SGX_KEYPOLICY_MRSIGNER	   (1u << 1)
#define SGX_KEYPOLICY_NOISVPRODID  (1u << 2)
#define SGX_KEYPOLICY_CONFIGID	   (1u << 3)
#define SGX_KEYPOLICY_ISVFAMILYID  (1u << 4)
#define SGX_KEYPOLICY_ISVEXTPRODID (1u << 5)

/* MSRs. */
#define MSR_IA32_FEATURE_CONTROL  0x0000003a
#define FEAT_CTL_LOCKED		  (1ULL << 0)
#define FEAT_CTL_SGX_LC_ENABLED	  (1ULL << 17)
#define FEAT_CTL_SGX_ENABLED	  (1ULL << 18)
#define MSR_IA32_SGXLEPUBKEYHASH0 0x0000008c
#define MSR_IA32_SGXLEPUBKEYHASH1 0x0000008d
#define MSR_IA32_SGXLEPUBKEYHASH2 0x0000008e
#define MSR_IA32_SGXLEPUBKEYHASH3 0x0000008f

/* Power-on value of IA32_SGXLEPUBKEYHASH0..3: the hash of Intel's LE key. */
#define SGX_LEPUBKEYHASH_INTEL0 0xa6053e051270b7acULL
#define SGX_LEPUBKEYHASH_INTEL1 0x6cfbe8ba8b3b413dULL
#define SGX_LEPUBKEYHASH_INTEL2 0xc4916d99f2b3735dULL
#define SGX_LEPUBKEYHASH_INTEL3 0xd4f8c05909f9bb3bULL

/* CPUID. */
#define SGX_CPUID		     0x12
#define SGX_CPUID_EPC		     2
#define CPUID_7_EBX_SGX		     (1u << 2)
#define CPUID_7_ECX_SGX_LC	     (1u << 30)
#define CPUID_7_EDX_SGX_KEYS	     (1u << 1)
#define CPUID_12_EAX_SGX1	     (1u << 0)
#define CPUID_12_EAX_SGX2	     (1u << 1)
#define CPUID_12_EAX_ENCLV	     (1u << 5)
#define CPUID_12_EAX_ENCLS_C	     (1u << 6)
#define CPUID_12_EAX_EVERIFYREPORT2  (1u << 7)
#define CPUID_12_EAX_EUPDATESVN	     (1u << 10)
#define CPUID_12_EAX_EDECCSSA	     (1u << 11)
#define SGX_CPUID_EPC_TYPE_MASK	     0xfu
#define SGX_CPUID_EPC_INVALID	     0u
#define SGX_CPUID_EPC_SECTION	     1u
#define SGX_CPUID_EPC_CONF_INTEGRITY 1u
#define SGX_CPUID_EPC_CONF_ONLY	     2u

struct sgx_attributes {
	uint64_t flags;
	uint64_t xfrm;
};

struct sgx_secs {
	uint64_t size;
	uint64_t base;
	uint32_t ssa_frame_size;
	uint32_t miscselect;
	uint8_t reserved1[24];
	struct sgx_attributes attributes;
	uint8_t mrenclave[32];
	uint8_t reserved2[32];
	uint8_t mrsigner[32];
	uint8_t reserved3[32];
	uint8_t config_id[64];
	uint16_t isv_prod_id;
	uint16_t isv_svn;
	uint16_t config_svn;
	uint8_t reserved4[3834];
};

struct sgx_tcs {
	uint64_t state;
	uint64_t flags;
	uint64_t ossa;
	uint32_t cssa;
	uint32_t nssa;
	uint64_t oentry;
	uint64_t aep;
	uint64_t ofsbase;
	uint64_t ogsbase;
	uint32_t fslimit;
	uint32_t gslimit;
	uint8_t reserved[4024];
};

/* The GPR area at the end of each SSA frame (GPRSGX). */
struct sgx_ssa_gpr {
	uint64_t rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rflags;
	uint64_t rip;
	uint64_t ursp;
	uint64_t urbp;
	uint32_t exitinfo;
	uint8_t reserved[3];
	uint8_t aexnotify;
	uint64_t fsbase;
	uint64_t gsbase;
};

/* MISC region component selected by MISCSELECT.EXINFO. */
struct sgx_exinfo {
	uint64_t maddr;
	uint32_t errcd;
	uint32_t reserved;
};

struct sgx_pageinfo {
	uint64_t linaddr;
	uint64_t srcpge;
	uint64_t secinfo; /* or PCMD, for EWB and ELDB/ELDU */
	uint64_t secs;
};

struct sgx_secinfo {
	uint64_t flags;
	uint8_t reserved[56];
};

struct sgx_pcmd {
	struct sgx_secinfo secinfo;
	uint64_t enclave_id;
	uint8_t reserved[40];
	uint8_t mac[16];
};

/* RDINFO (ERDINFO's output): STATUS bits, and FLAGS as SECINFO.FLAGS plus BLOCKED. */
#define SGX_RDINFO_CHILDPRESENT	    (1ULL << 0)
#define SGX_RDINFO_VIRTCHILDPRESENT (1ULL << 1)
#define SGX_RDINFO_BLOCKED	    (1ULL << 63)

struct sgx_rdinfo {
	uint64_t status;
	uint64_t flags;
	uint64_t enclave_context;
	uint64_t reserved;
};

/* SIGSTRUCT: the signed region is header[0..127] + body[900..1027]. */
struct sgx_sigstruct {
	uint8_t header[16];
	uint32_t vendor;
	uint32_t date;
	uint8_t header2[16];
	uint32_t swdefined;
	uint8_t reserved1[84];
	uint8_t modulus[SGX_MODULUS_SIZE];
	uint32_t exponent;
	uint8_t signature[SGX_MODULUS_SIZE];
	uint32_t miscselect;
	uint32_t miscmask;
	uint32_t cet_attributes; /* reserved unless CET: attributes and mask */
	uint8_t isv_family_id[16];
	struct sgx_attributes attributes;
	struct sgx_attributes attributes_mask;
	uint8_t enclave_hash[32];
	uint8_t reserved3[16];
	uint8_t isv_ext_prod_id[16];
	uint16_t isv_prod_id;
	uint16_t isv_svn;
	uint8_t reserved4[12];
	uint8_t q1[SGX_MODULUS_SIZE];
	uint8_t q2[SGX_MODULUS_SIZE];
};

#define SGX_SIGSTRUCT_HEADER_LEN   128
#define SGX_SIGSTRUCT_BODY_OFFSET  900
#define SGX_SIGSTRUCT_BODY_LEN	   128
#define SGX_SIGSTRUCT_VENDOR_INTEL 0x8086u

struct sgx_einittoken {
	uint32_t valid;
	uint8_t reserved1[44];
	struct sgx_attributes attributes;
	uint8_t mrenclave[32];
	uint8_t reserved2[32];
	uint8_t mrsigner[32];
	uint8_t reserved3[32];
	uint8_t cpusvn_le[16];
	uint16_t isv_prod_id_le;
	uint16_t isv_svn_le;
	uint8_t reserved4[24];
	uint32_t masked_miscselect_le;
	struct sgx_attributes masked_attributes_le;
	uint8_t keyid[32];
	uint8_t mac[16];
};

/* The first 192 bytes of an EINITTOKEN are what its MAC covers. */
#define SGX_EINITTOKEN_MACED_LEN 192

struct sgx_report_body {
	uint8_t cpusvn[16];
	uint32_t miscselect;
	uint8_t reserved1[12];
	uint8_t isv_ext_prod_id[16];
	struct sgx_attributes attributes;
	uint8_t mrenclave[32];
	uint8_t reserved2[32];
	uint8_t mrsigner[32];
	uint8_t reserved3[32];
	uint8_t config_id[64];
	uint16_t isv_prod_id;
	uint16_t isv_svn;
	uint16_t config_svn;
	uint8_t reserved4[42];
	uint8_t isv_family_id[16];
	uint8_t report_data[64];
};

struct sgx_report {
	struct sgx_report_body body;
	uint8_t keyid[32];
	uint8_t mac[16];
};

struct sgx_targetinfo {
	uint8_t mrenclave[32];
	struct sgx_attributes attributes;
	uint8_t reserved1[2];
	uint16_t config_svn;
	uint32_t miscselect;
	uint8_t reserved2[8];
	uint8_t config_id[64];
	uint8_t reserved3[384];
};

struct sgx_keyrequest {
	uint16_t key_name;
	uint16_t key_policy;
	uint16_t isv_svn;
	uint16_t reserved1;
	uint8_t cpusvn[16];
	struct sgx_attributes attribute_mask;
	uint8_t keyid[32];
	uint32_t misc_mask;
	uint16_t config_svn;
	uint8_t reserved2[434];
};

#define SGX_CHECK_SIZE(type, n) _Static_assert(sizeof(struct type) == (n), #type " size")
#define SGX_CHECK_OFFSET(type, field, off)                                                         \
	_Static_assert(offsetof(struct type, field) == (off), #type "." #field " offset")

SGX_CHECK_SIZE(sgx_attributes, 16);
SGX_CHECK_OFFSET(sgx_attributes, flags, 0);
SGX_CHECK_OFFSET(sgx_attributes, xfrm, 8);

SGX_CHECK_SIZE(sgx_secs, 4096);
SGX_CHECK_OFFSET(sgx_secs, size, 0);
SGX_CHECK_OFFSET(sgx_secs, base, 8);
SGX_CHECK_OFFSET(sgx_secs, ssa_frame_size, 16);
SGX_CHECK_OFFSET(sgx_secs, miscselect, 20);
SGX_CHECK_OFFSET(sgx_secs, reserved1, 24);
SGX_CHECK_OFFSET(sgx_secs, attributes, 48);
SGX_CHECK_OFFSET(sgx_secs, mrenclave, 64);
SGX_CHECK_OFFSET(sgx_secs, reserved2, 96);
SGX_CHECK_OFFSET(sgx_secs, mrsigner, 128);
SGX_CHECK_OFFSET(sgx_secs, reserved3, 160);
SGX_CHECK_OFFSET(sgx_secs, config_id, 192);
SGX_CHECK_OFFSET(sgx_secs, isv_prod_id, 256);
SGX_CHECK_OFFSET(sgx_secs, isv_svn, 258);
SGX_CHECK_OFFSET(sgx_secs, config_svn, 260);
SGX_CHECK_OFFSET(sgx_secs, reserved4, 262);

SGX_CHECK_SIZE(sgx_tcs, 4096);
SGX_CHECK_OFFSET(sgx_tcs, state, 0);
SGX_CHECK_OFFSET(sgx_tcs, flags, 8);
SGX_CHECK_OFFSET(sgx_tcs, ossa, 16);
SGX_CHECK_OFFSET(sgx_tcs, cssa, 24);
SGX_CHECK_OFFSET(sgx_tcs, nssa, 28);
SGX_CHECK_OFFSET(sgx_tcs, oentry, 32);
SGX_CHECK_OFFSET(sgx_tcs, aep, 40);
SGX_CHECK_OFFSET(sgx_tcs, ofsbase, 48);
SGX_CHECK_OFFSET(sgx_tcs, ogsbase, 56);
SGX_CHECK_OFFSET(sgx_tcs, fslimit, 64);
SGX_CHECK_OFFSET(sgx_tcs, gslimit, 68);
SGX_CHECK_OFFSET(sgx_tcs, reserved, 72);

SGX_CHECK_SIZE(sgx_ssa_gpr, 184);
SGX_CHECK_OFFSET(sgx_ssa_gpr, rax, 0);
SGX_CHECK_OFFSET(sgx_ssa_gpr, rcx, 8);
SGX_CHECK_OFFSET(sgx_ssa_gpr, rdx, 16);
SGX_CHECK_OFFSET(sgx_ssa_gpr, rbx, 24);
SGX_CHECK_OFFSET(sgx_ssa_gpr, rsp, 32);
SGX_CHECK_OFFSET(sgx_ssa_gpr, rbp, 40);
SGX_CHECK_OFFSET(sgx_ssa_gpr, rsi, 48);
SGX_CHECK_OFFSET(sgx_ssa_gpr, rdi, 56);
SGX_CHECK_OFFSET(sgx_ssa_gpr, r8, 64);
SGX_CHECK_OFFSET(sgx_ssa_gpr, r15, 120);
SGX_CHECK_OFFSET(sgx_ssa_gpr, rflags, 128);
SGX_CHECK_OFFSET(sgx_ssa_gpr, rip, 136);
SGX_CHECK_OFFSET(sgx_ssa_gpr, ursp, 144);
SGX_CHECK_OFFSET(sgx_ssa_gpr, urbp, 152);
SGX_CHECK_OFFSET(sgx_ssa_gpr, exitinfo, 160);
SGX_CHECK_OFFSET(sgx_ssa_gpr, reserved, 164);
SGX_CHECK_OFFSET(sgx_ssa_gpr, aexnotify, 167);
SGX_CHECK_OFFSET(sgx_ssa_gpr, fsbase, 168);
SGX_CHECK_OFFSET(sgx_ssa_gpr, gsbase, 176);

SGX_CHECK_SIZE(sgx_exinfo, 16);
SGX_CHECK_OFFSET(sgx_exinfo, maddr, 0);
SGX_CHECK_OFFSET(sgx_exinfo, errcd, 8);
SGX_CHECK_OFFSET(sgx_exinfo, reserved, 12);

SGX_CHECK_SIZE(sgx_pageinfo, 32);
SGX_CHECK_OFFSET(sgx_pageinfo, linaddr, 0);
SGX_CHECK_OFFSET(sgx_pageinfo, srcpge, 8);
SGX_CHECK_OFFSET(sgx_pageinfo, secinfo, 16);
SGX_CHECK_OFFSET(sgx_pageinfo, secs, 24);

SGX_CHECK_SIZE(sgx_secinfo, 64);
SGX_CHECK_OFFSET(sgx_secinfo, flags, 0);
SGX_CHECK_OFFSET(sgx_secinfo, reserved, 8);

SGX_CHECK_SIZE(sgx_pcmd, 128);
SGX_CHECK_OFFSET(sgx_pcmd, secinfo, 0);
SGX_CHECK_OFFSET(sgx_pcmd, enclave_id, 64);
SGX_CHECK_OFFSET(sgx_pcmd, reserved, 72);
SGX_CHECK_OFFSET(sgx_pcmd, mac, 112);

SGX_CHECK_SIZE(sgx_rdinfo, 32);
SGX_CHECK_OFFSET(sgx_rdinfo, status, 0);
SGX_CHECK_OFFSET(sgx_rdinfo, flags, 8);
SGX_CHECK_OFFSET(sgx_rdinfo, enclave_context, 16);
SGX_CHECK_OFFSET(sgx_rdinfo, reserved, 24);

SGX_CHECK_SIZE(sgx_sigstruct, 1808);
SGX_CHECK_OFFSET(sgx_sigstruct, header, 0);
SGX_CHECK_OFFSET(sgx_sigstruct, vendor, 16);
SGX_CHECK_OFFSET(sgx_sigstruct, date, 20);
SGX_CHECK_OFFSET(sgx_sigstruct, header2, 24);
SGX_CHECK_OFFSET(sgx_sigstruct, swdefined, 40);
SGX_CHECK_OFFSET(sgx_sigstruct, reserved1, 44);
SGX_CHECK_OFFSET(sgx_sigstruct, modulus, 128);
SGX_CHECK_OFFSET(sgx_sigstruct, exponent, 512);
SGX_CHECK_OFFSET(sgx_sigstruct, signature, 516);
SGX_CHECK_OFFSET(sgx_sigstruct, miscselect, 900);
SGX_CHECK_OFFSET(sgx_sigstruct, miscmask, 904);
SGX_CHECK_OFFSET(sgx_sigstruct, cet_attributes, 908);
SGX_CHECK_OFFSET(sgx_sigstruct, isv_family_id, 912);
SGX_CHECK_OFFSET(sgx_sigstruct, attributes, 928);
SGX_CHECK_OFFSET(sgx_sigstruct, attributes_mask, 944);
SGX_CHECK_OFFSET(sgx_sigstruct, enclave_hash, 960);
SGX_CHECK_OFFSET(sgx_sigstruct, reserved3, 992);
SGX_CHECK_OFFSET(sgx_sigstruct, isv_ext_prod_id, 1008);
SGX_CHECK_OFFSET(sgx_sigstruct, isv_prod_id, 1024);
SGX_CHECK_OFFSET(sgx_sigstruct, isv_svn, 1026);
SGX_CHECK_OFFSET(sgx_sigstruct, reserved4, 1028);
SGX_CHECK_OFFSET(sgx_sigstruct, q1, 1040);
SGX_CHECK_OFFSET(sgx_sigstruct, q2, 1424);

SGX_CHECK_SIZE(sgx_einittoken, 304);
SGX_CHECK_OFFSET(sgx_einittoken, valid, 0);
SGX_CHECK_OFFSET(sgx_einittoken, reserved1, 4);
SGX_CHECK_OFFSET(sgx_einittoken, attributes, 48);
SGX_CHECK_OFFSET(sgx_einittoken, mrenclave, 64);
SGX_CHECK_OFFSET(sgx_einittoken, reserved2, 96);
SGX_CHECK_OFFSET(sgx_einittoken, mrsigner, 128);
SGX_CHECK_OFFSET(sgx_einittoken, reserved3, 160);
SGX_CHECK_OFFSET(sgx_einittoken, cpusvn_le, 192);
SGX_CHECK_OFFSET(sgx_einittoken, isv_prod_id_le, 208);
SGX_CHECK_OFFSET(sgx_einittoken, isv_svn_le, 210);
SGX_CHECK_OFFSET(sgx_einittoken, reserved4, 212);
SGX_CHECK_OFFSET(sgx_einittoken, masked_miscselect_le, 236);
SGX_CHECK_OFFSET(sgx_einittoken, masked_attributes_le, 240);
SGX_CHECK_OFFSET(sgx_einittoken, keyid, 256);
SGX_CHECK_OFFSET(sgx_einittoken, mac, 288);

SGX_CHECK_SIZE(sgx_report_body, 384);
SGX_CHECK_OFFSET(sgx_report_body, cpusvn, 0);
SGX_CHECK_OFFSET(sgx_report_body, miscselect, 16);
SGX_CHECK_OFFSET(sgx_report_body, reserved1, 20);
SGX_CHECK_OFFSET(sgx_report_body, isv_ext_prod_id, 32);
SGX_CHECK_OFFSET(sgx_report_body, attributes, 48);
SGX_CHECK_OFFSET(sgx_report_body, mrenclave, 64);
SGX_CHECK_OFFSET(sgx_report_body, reserved2, 96);
SGX_CHECK_OFFSET(sgx_report_body, mrsigner, 128);
SGX_CHECK_OFFSET(sgx_report_body, reserved3, 160);
SGX_CHECK_OFFSET(sgx_report_body, config_id, 192);
SGX_CHECK_OFFSET(sgx_report_body, isv_prod_id, 256);
SGX_CHECK_OFFSET(sgx_report_body, isv_svn, 258);
SGX_CHECK_OFFSET(sgx_report_body, config_svn, 260);
SGX_CHECK_OFFSET(sgx_report_body, reserved4, 262);
SGX_CHECK_OFFSET(sgx_report_body, isv_family_id, 304);
SGX_CHECK_OFFSET(sgx_report_body, report_data, 320);

SGX_CHECK_SIZE(sgx_report, 432);
SGX_CHECK_OFFSET(sgx_report, body, 0);
SGX_CHECK_OFFSET(sgx_report, keyid, 384);
SGX_CHECK_OFFSET(sgx_report, mac, 416);

SGX_CHECK_SIZE(sgx_targetinfo, 512);
SGX_CHECK_OFFSET(sgx_targetinfo, mrenclave, 0);
SGX_CHECK_OFFSET(sgx_targetinfo, attributes, 32);
SGX_CHECK_OFFSET(sgx_targetinfo, reserved1, 48);
SGX_CHECK_OFFSET(sgx_targetinfo, config_svn, 50);
SGX_CHECK_OFFSET(sgx_targetinfo, miscselect, 52);
SGX_CHECK_OFFSET(sgx_targetinfo, reserved2, 56);
SGX_CHECK_OFFSET(sgx_targetinfo, config_id, 64);
SGX_CHECK_OFFSET(sgx_targetinfo, reserved3, 128);

SGX_CHECK_SIZE(sgx_keyrequest, 512);
SGX_CHECK_OFFSET(sgx_keyrequest, key_name, 0);
SGX_CHECK_OFFSET(sgx_keyrequest, key_policy, 2);
SGX_CHECK_OFFSET(sgx_keyrequest, isv_svn, 4);
SGX_CHECK_OFFSET(sgx_keyrequest, reserved1, 6);
SGX_CHECK_OFFSET(sgx_keyrequest, cpusvn, 8);
SGX_CHECK_OFFSET(sgx_keyrequest, attribute_mask, 24);
SGX_CHECK_OFFSET(sgx_keyrequest, keyid, 40);
SGX_CHECK_OFFSET(sgx_keyrequest, misc_mask, 72);
SGX_CHECK_OFFSET(sgx_keyrequest, config_svn, 76);
SGX_CHECK_OFFSET(sgx_keyrequest, reserved2, 78);

#endif /* VSGX_ARCH_H */
