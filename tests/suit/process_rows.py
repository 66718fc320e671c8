#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# Generates test_suit_process_rows.inc: rows of small SUIT command sequences
# for test_suit_process.c, written as readable command lists and encoded
# with cbor2 in canonical order. Run: /usr/bin/python3 process_rows.py > test_suit_process_rows.inc
import cbor2, hashlib
def seq(*cmds): return cbor2.dumps(list(cmds), canonical=True)
VID=bytes.fromhex('fa6b4a53d5ad5fdfbe9de663e4d41ffe'); CID=bytes.fromhex('1492af1425695e48bf429b2d51f2ab45')
ABC=b'ABC'
dABC=cbor2.dumps([-16, hashlib.sha256(ABC).digest()])
dXYZ=cbor2.dumps([-16, hashlib.sha256(b'XYZ').digest()])
dDEF=cbor2.dumps([-16, hashlib.sha256(b'DEF').digest()])
shared=seq(20,{1:VID,2:CID},1,15,2,15)
shared2=seq(12,True,20,{1:VID,2:CID},1,15,2,15)
rows=[]
def row(what, comps, install, err, named, shared=shared, stored=-1, dep=-1, key=20):
    rows.append((what,comps,dep,shared.hex(),key,install.hex(),stored,err,named))
# conditions
row("vendor mismatch",1,seq(3,15),"TK_ERR_CONDITION","vendor-identifier",shared=seq(20,{1:b'\x01'*16,2:CID},1,15,2,15))
row("class mismatch",1,seq(3,15),"TK_ERR_CONDITION","class-identifier",shared=seq(20,{1:VID,2:b'\x02'*16},1,15,2,15))
row("device id not set",1,seq(24,15),"TK_ERR_CONDITION","not set")
row("device id mismatch",1,seq(20,{24:b'\x03'*16},24,15),"TK_ERR_CONDITION","device-identifier")
row("device id match",1,seq(20,{24:b'\x04'*16},24,15),"TK_OK",None)
row("image match installed",1,seq(20,{3:dABC,14:3},3,15),"TK_OK",None)
row("image mismatch installed",1,seq(20,{3:dXYZ},3,15),"TK_ERR_DIGEST_MISMATCH","differs")
row("image size mismatch",1,seq(20,{3:dABC,14:4},3,15),"TK_ERR_DIGEST_MISMATCH","expects 4")
row("image match without digest",1,seq(3,15),"TK_ERR_CONDITION","no image digest")
row("slot mismatch",1,seq(20,{5:0},5,15),"TK_ERR_CONDITION","slot 0")
row("slot match",1,seq(20,{5:1},5,15),"TK_OK",None)
row("check content installed",1,seq(20,{18:ABC},6,15),"TK_OK",None)
row("check content mismatch",1,seq(20,{18:b'ABD'},6,15),"TK_ERR_CONDITION","differs")
row("check content shorter",1,seq(20,{18:b'AB'},6,15),"TK_ERR_CONDITION","differs")
row("is-dependency on a component",1,seq(8,15),"TK_ERR_CONDITION","not a dependency")
row("dependency-integrity on a component",1,seq(7,15),"TK_ERR_CONDITION","not a dependency")
row("abort",1,seq(14,15),"TK_ERR_CONDITION","condition-abort")
# try-each / run-sequence / soft failure
row("try-each second succeeds",1,seq(15,[seq(14,15),seq(20,{18:ABC},6,15)],20,{3:dABC},3,15),"TK_OK",None)
row("try-each all fail",1,seq(15,[seq(14,15),seq(5,15)],3,15),"TK_ERR_CONDITION","all 2 sequences failed on component index 0; last: manifest, install, condition-component-slot")
row("try-each nil last",1,seq(15,[seq(14,15),seq(20,{5:0},5,15),None],20,{3:dABC},3,15),"TK_OK",None)
row("try-each nil not last",1,seq(15,[seq(14,15),None,seq(14,15)]),"TK_ERR_SCHEMA_VALUE","nil")
row("try-each one entry",1,seq(15,[seq(14,15)]),"TK_ERR_SCHEMA_LENGTH","1 sequences")
row("try-each soft-failure off",1,seq(15,[seq(20,{13:False},14,15),seq(20,{3:dABC},3,15)]),"TK_ERR_CONDITION","condition-abort")
row("try-each directive failure aborts",1,seq(15,[seq(21,15),seq(20,{3:dABC},3,15)]),"TK_ERR_SCHEMA_MISSING","no URI")
row("run-sequence soft failure",1,seq(32,seq(20,{13:True},14,15,23,2),20,{3:dABC},3,15),"TK_OK",None)
row("run-sequence hard failure",1,seq(32,seq(14,15),3,15),"TK_ERR_CONDITION","condition-abort")
row("soft-failure outside nesting",1,seq(20,{13:True}),"TK_ERR_SCHEMA_VALUE","soft-failure")
row("nesting over the limit",1,seq(32,seq(32,seq(32,seq(32,seq(32,seq(14,15))))))," TK_ERR_LIMIT_DEPTH".strip(),"deeper")
row("nesting at the limit",1,seq(32,seq(32,seq(32,seq(32,seq(20,{3:dABC},3,15))))),"TK_OK",None)
# unknown
row("unknown command",1,seq(99,15),"TK_ERR_UNSUPPORTED","unknown command 99")
row("custom command",1,seq(-300,15),"TK_ERR_UNSUPPORTED","custom command -300")
row("unknown parameter",1,seq(20,{99:1}),"TK_ERR_UNSUPPORTED","unknown parameter 99")
row("custom parameter skipped",1,seq(20,{-300:1},20,{3:dABC},3,15),"TK_OK",None)
row("parameters not canonical",1,bytes.fromhex("8214a2")+cbor2.dumps(14)+cbor2.dumps(3)+cbor2.dumps(3)+cbor2.dumps(dABC),"TK_ERR_CBOR_NOT_PREFERRED","canonical")
row("truncated sequence",1,bytes.fromhex("8414a115"),"TK_ERR_CBOR_LENGTH","install")
row("odd sequence length",1,seq(14,15,3),"TK_ERR_SCHEMA_LENGTH","list of pairs")
row("index out of range",1,seq(12,1,3,15),"TK_ERR_SCHEMA_VALUE","component index 1")
row("index list",2,seq(12,[0,1],20,{18:ABC},18,15,6,15),"TK_OK",None,shared=shared2)
row("index true",2,seq(12,True,20,{18:ABC},18,15,6,15),"TK_OK",None,shared=shared2)
row("no index with two components",2,seq(3,15),"TK_ERR_SCHEMA_VALUE","no component index",shared=shared2)
row("invoke in update",1,seq(23,15),"TK_ERR_UNSUPPORTED","invocation procedure")
row("unlink in update",1,seq(33,15),"TK_ERR_UNSUPPORTED","uninstall procedure")
row("encrypted write without unwrap hook",1,seq(20,{18:ABC,19:cbor2.dumps(cbor2.CBORTag(96,[b'',{1:-65534,5:b'\x00'*16},None,[[b'',{1:-3},b'\x00'*24]]]))},18,15),"TK_ERR_UNSUPPORTED","unwrap_cek")
row("fetch arguments",1,seq(20,{21:"http://example.com/a",25:b'x'},21,15),"TK_ERR_UNSUPPORTED","fetch-arguments")
# directives
row("write and check",1,seq(20,{18:b'XYZ'},18,15,6,15),"TK_OK",None)
row("fetch without check",1,seq(20,{21:"http://example.com/a"},21,15),"TK_ERR_POLICY","not checked")
row("fetch over image-size",1,seq(20,{21:"http://example.com/a",14:2},21,15),"TK_ERR_LIMIT_SIZE","larger than 2")
row("copy staged source",2,seq(12,0,20,{18:b'XYZ'},18,15,12,1,20,{22:0,3:dXYZ},22,15,3,15),"TK_OK",None,shared=shared2)
row("copy from itself",2,seq(12,0,20,{22:0},22,15),"TK_ERR_SCHEMA_VALUE","source component 0",shared=shared2)
row("swap staged and installed",2,seq(12,0,20,{18:b'XYZ'},18,15,12,1,20,{22:0},31,15,20,{3:dXYZ},3,15,12,0,20,{3:dDEF},3,15),"TK_OK",None,shared=shared2)
row("rollback equal",1,seq(20,{3:dABC},3,15),"TK_ERR_ROLLBACK","not higher",stored=1)
row("rollback lower",1,seq(20,{3:dABC},3,15),"TK_OK",None,stored=0)
# dependencies
row("process-dependency on a component",1,seq(11,15),"TK_ERR_POLICY","not in suit-dependencies")
row("dependency without integrity",1,seq(12,1,20,{21:"#dep"},21,15,11,15),"TK_ERR_POLICY","dependency-integrity",dep=1,shared=seq(12,0,20,{1:VID,2:CID},1,15,2,15))
row("too many commands",1,seq(*([14,0]*65)),"TK_ERR_LIMIT_COUNT","65 commands")
row("dependency-integrity before fetch",1,seq(12,1,7,15),"TK_ERR_CONDITION","has not been fetched",dep=1,shared=seq(12,0,20,{1:VID,2:CID},1,15,2,15))
row("try-each over the limit",1,seq(15,[seq(14,15)]*65),"TK_ERR_LIMIT_COUNT","65 sequences")
row("URI over the limit",1,seq(20,{21:"http://example.com/"+"a"*2030},21,15),"TK_ERR_LIMIT_SIZE","URI of 2049 bytes")
for r in rows:
    what,comps,dep,sh,key,inst,stored,err,named=r
    print('\t{"%s", %d, %d, "%s",\n\t "%s", %d, %s, %s},' % (what,comps,dep,sh,inst,stored,err,'"%s"'%named if named else "NULL"))
