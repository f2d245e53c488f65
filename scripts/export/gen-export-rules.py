#!/usr/bin/env python3
# Writes data/export-rules.json (run from the repository root). The rules are
# kept here as code so that paragraphs shared by several rule sets are written
# once; edit this file, run it, and review the diff of the JSON.
import json, collections
O=collections.OrderedDict
def cond(m, op, v): return O([("metric", m), ("op", op), ("value", v)])
TPP="tpp"; PD="performance_density"
para=lambda id_, eccn, kind, conds, text: O([("id",id_),("eccn",eccn),("kind",kind),("conditions",conds),("text",text)])
A1=para("3A090.a.1","3A090.a","logic",[cond(TPP,">=",4800)],"TPP >= 4800")
A2=para("3A090.a.2","3A090.a","logic",[cond(TPP,">=",1600),cond(PD,">=",5.92)],"TPP >= 1600 and PD >= 5.92")
B1=para("3A090.b.1","3A090.b","logic",[cond(TPP,">=",2400),cond(TPP,"<",4800),cond(PD,">=",1.6),cond(PD,"<",5.92)],"TPP >= 2400 and < 4800, and PD >= 1.6 and < 5.92")
B2=para("3A090.b.2","3A090.b","logic",[cond(TPP,">=",1600),cond(PD,">=",3.2),cond(PD,"<",5.92)],"TPP >= 1600, and PD >= 3.2 and < 5.92")
C=para("3A090.c","3A090.c","memory",[cond("hbm_bandwidth_density",">",2)],"high bandwidth memory with memory bandwidth density > 2 GB/s/mm^2 (bandwidth / package or stack area); HBM co-packaged with a logic IC is excluded: that package is classified by TPP/PD")
NOTE2=O([("id","Note 2 to 3A090"),("kind","logic"),("datacenter",False),("conditions",[cond(TPP,"<",4800)]),("text","3A090 does not apply to items not designed or marketed for use in data centers that have a TPP < 4800")])
def dest(countries=(), groups=(), unless_groups=(), unless_countries=()):
  d=O()
  if countries: d["countries"]=list(countries)
  if groups: d["groups"]=list(groups)
  if unless_groups: d["unless_groups"]=list(unless_groups)
  if unless_countries: d["unless_countries"]=list(unless_countries)
  return d
SCOPE23=dest(["MO"],["D:1","D:4","D:5"],["A:5","A:6"])
POL23=[O([("destinations",dest(["MO"],["D:5"])),("policy","presumption of denial")]),O([("policy","presumption of approval")])]
HQ="Since 2023-11-17 a licence is also required, wherever the item goes, when the end user is headquartered in (or its ultimate parent is headquartered in) Country Group D:5 or Macau: chipaudit cannot see the buyer, so check it"
NAC23=O([("name","NAC"),("eccns",["3A090.b"]),("non_datacenter_eccns",["3A090.a"]),("destinations",SCOPE23),("text","License Exception NAC (Notified Advanced Computing): advance notice to BIS, 25 days, for 3A090.b items designed for data centers and 3A090.a items not designed for data centers")])
NAC24=O([("name","NAC"),("eccns",["3A090.b"]),("non_datacenter_eccns",["3A090.a"]),("destinations",dest(["MO"],["D:5"])),("text","License Exception NAC (Notified Advanced Computing): advance notice to BIS, for D:5 destinations and Macau")])
ACA24=O([("name","ACA"),("eccns",["3A090.b"]),("non_datacenter_eccns",["3A090.a"]),("destinations",dest([],["D:1","D:4"],["D:5","A:5","A:6"],["MO"])),("text","License Exception ACA (Advanced Compute Authorized): no notice, for D:1/D:4 destinations not also in D:5 or Macau, and in-country transfers")])
HBMX=O([("name","HBM"),("eccns",["3A090.c"]),("non_datacenter_eccns",[]),("conditions",[cond("hbm_bandwidth_density","<",3.3)]),("text","License Exception HBM: only for memory bandwidth density below 3.3 GB/s/mm^2")])
def licence(eccns, scope, policies, unconfirmed=(), hq=None, unconfirmed_note=None, policy_note=None):
  l=O([("eccns",eccns),("destinations",scope),("policies",policies),("unconfirmed_eccns",list(unconfirmed)),("unconfirmed_note",unconfirmed_note),("end_user_note",hq)])
  return l
def rs(id_, title, citation, in_force, sources, caveat, paragraphs, exclusions, lic, overrides, lexc, notes):
  return O([("id",id_),("title",title),("citation",citation),("in_force",in_force),("sources",sources),("caveat",caveat),("paragraphs",paragraphs),("exclusions",exclusions),("licence",lic),("review_overrides",overrides),("license_exceptions",lexc),("notes",notes)])
P22=para("3A090.a","3A090.a","logic",[cond(TPP,">=",4800),cond("interconnect_bandwidth_gbs",">=",600)],"TPP >= 4800 and aggregate bidirectional I/O transfer rate >= 600 GB/s to integrated circuits other than volatile memories (both needed)")
NOTE22=["The 2022 text states a single test for 3A090 integrated circuits; chipaudit reports it as paragraph 3A090.a, the integrated-circuit paragraph (the sub-paragraph letter is not given in the reference)",
        "The interconnect figure is the chip's aggregate bidirectional chip-to-chip rate (NVLink and the like), as data/accelerators.json records it"]
POL22=[O([("policy",None)])]
rule_sets=[
 rs("2022-10","Advanced computing controls: first rule","87 FR 62186 (Oct 13, 2022), FR Doc 2022-21658","2022-10-21",["FR2022","REF"],None,
    [P22],[],licence(["3A090.a"],dest(["CN"]),POL22),[],[],
    NOTE22+["Destination: China (Hong Kong included); the review policy of this rule is not recorded in chipaudit's sources"]),
 rs("2023-01","Advanced computing controls: first rule, extended to Macau","87 FR 62186 as amended in January 2023 (Macau added)","2023-01-17",["FR2022","STR","REF"],None,
    [P22],[],licence(["3A090.a"],dest(["CN","MO"]),POL22),[],[],
    NOTE22+["Macau added as a destination (STR: shipments en route on 2023-01-17 could continue until 2023-02-16)","The review policy of this rule is not recorded in chipaudit's sources"]),
 rs("2023-10","Advanced computing controls: TPP and performance density","88 FR 73458 (Oct 25, 2023), FR Doc 2023-23055","2023-11-17",["FR2023","REF"],None,
    [A1,A2,B1,B2],[NOTE2],licence(["3A090.a","3A090.b"],SCOPE23,POL23,hq=HQ),[],[NAC23],
    ["The interconnect test of the 2022 rule is removed"]),
 rs("2024-04","Advanced computing controls: NAC split into NAC and ACA","88 FR 73458 as amended by 89 FR 23876 (Apr 4, 2024)","2024-04-04",["FR2023","FR2024A","REF"],None,
    [A1,A2,B1,B2],[NOTE2],licence(["3A090.a","3A090.b"],SCOPE23,POL23,hq=HQ),[],[NAC24,ACA24],
    ["License Exception NAC split into NAC (D:5 and Macau, with notice) and ACA (D:1/D:4 not in D:5 or Macau, and in-country transfers)"]),
 rs("2024-12","Advanced computing controls: high bandwidth memory (3A090.c)","88 FR 73458 as amended by 89 FR 23876 and 89 FR 96790 (Dec 5, 2024), FR Doc 2024-28270","2024-12-02",["FR2023","FR2024A","FR2024D","REF"],None,
    [A1,A2,B1,B2,C],[NOTE2],licence(["3A090.a","3A090.b"],SCOPE23,POL23,unconfirmed=["3A090.c"],hq=HQ,unconfirmed_note="the destinations for which 3A090.c needs a licence are not recorded in chipaudit's sources"),[],[NAC24,ACA24,HBMX],
    ["3A090.c (high bandwidth memory) in force from 2024-12-02, compliance from 2024-12-31"]),
 rs("2026-01","Advanced computing controls: case-by-case review for China and Macau","88 FR 73458 as amended, and 91 FR 1684 (Jan 15, 2026)","2026-01-15",["FR2023","FR2024A","FR2024D","FR2026","REF"],
    "91 FR 1684 was seen only in a secondary source: confirm the text",
    [A1,A2,B1,B2,C],[NOTE2],licence(["3A090.a","3A090.b"],SCOPE23,POL23,unconfirmed=["3A090.c"],hq=HQ,unconfirmed_note="the destinations for which 3A090.c needs a licence are not recorded in chipaudit's sources"),
    [O([("id","case-by-case-2026"),("eccns",["3A090.a","3A090.b"]),("destinations",dest(["CN","MO"])),("conditions",[cond(TPP,"<",21000),cond("memory_bandwidth_gbs","<",6500)]),("policy","case-by-case review, subject to conditions (91 FR 1684)"),("caveat","91 FR 1684 was seen only in a secondary source: confirm the text")])],
    [NAC24,ACA24,HBMX],
    ["Licence review for China and Macau moved to case-by-case for chips with TPP < 21,000 and total DRAM bandwidth < 6,500 GB/s (e.g. H200, MI325X)"]),
]
H20_NAMES=["H20","H20 HBM3e","H20 NVL16"]
notices=[
 O([("id","ai-diffusion"),("from","2025-01-13"),("citation","90 FR 4544 (Jan 15, 2025), AI Diffusion"),("models",None),("eccns",["3A090.a"]),("licence",None),("policy",None),("similar_any",None),
    ("text","AI Diffusion rule: worldwide licence requirement for 3A090.a/4A090.a with country tiers, compliance from 2025-05-15; BIS announced on 2025-05-13 that it will not enforce it (rescinded)"),("caveat",None),("sources",["REF"])]),
 O([("id","foundry-due-diligence"),("from","2025-01-16"),("citation","90 FR 5298 (Jan 16, 2025), Note 1 to 3A090.a"),("models",None),("eccns",["none","3A090.b"]),("licence",None),("policy",None),("similar_any",None),
    ("text","Foundries and packagers presume advanced-node ICs are 3A090.a and designed for data centers unless rebutted (designer attestation, or transistor count < 30B; without HBM < 35B in 2027, < 40B from 2029)"),("caveat",None),("sources",["REF"])]),
 O([("id","h20-licence"),("from","2025-04-09"),("citation","NVIDIA's company-specific licence notice (Apr 2025)"),("models",H20_NAMES),("eccns",None),
    ("licence",O([("destinations",dest(["CN","MO"],["D:5"]))])),("policy","licence required by a company-specific notice; review policy not published"),
    ("similar_any",None),
    ("text","Licence required to export the H20 to China (Hong Kong and Macau included) and D:5 from 2025-04-09, although the H20 is not 3A090"),("caveat",None),("sources",["REF"])]),
 O([("id","mi308-licence"),("from","2025-04-15"),("citation","AMD's company-specific licence notice (Apr 2025)"),("models",["MI308X"]),("eccns",None),
    ("licence",O([("destinations",dest(["CN","MO"],["D:5"]))])),("policy","licence required by a company-specific notice; review policy not published"),
    ("similar_any",None),
    ("text","Licence required to export the MI308 to China (Hong Kong and Macau included) and D:5 from 2025-04-15"),("caveat",None),("sources",["REF"])]),
 O([("id","h20-like-circuits"),("from","2025-04-09"),("citation","NVIDIA's and AMD's company-specific licence notices (Apr 2025)"),("models",None),("eccns",["none"]),("licence",None),("policy",None),
    ("similar_any",[cond("memory_bandwidth_gbs",">=",4000),cond("interconnect_bandwidth_gbs",">=",900)]),
    ("text","The H20/MI308 notices also cover 'any other circuits achieving the H20's memory bandwidth, interconnect bandwidth, or combination thereof' (H20: 4,000 GB/s memory, 900 GB/s NVLink): this chip reaches one of them; check whether a notice applies to it"),("caveat","the notices' wording as quoted in the reference; their full text is not public"),("sources",["REF"])]),
 O([("id","h20-mi308-revenue-share"),("from","2025-08-11"),("citation","US government arrangement with NVIDIA and AMD, confirmed 2025-08-11 (not a Federal Register rule)"),("models",H20_NAMES+["MI308X"]),("eccns",None),("licence",None),
    ("policy","licences granted for sales to China on condition that 15% of that revenue is paid to the US government"),("policy_destinations",dest(["CN"])),("similar_any",None),
    ("text","Licence applications resumed 2025-07-14, licences granted from about 2025-08-08 on condition that 15% of the revenue from these sales to China is paid to the US government (confirmed 2025-08-11)"),("caveat",None),("sources",["REF"])]),
]
doc=O([
 ("schema","chipaudit-export-rules/1"),("updated","2026-11-29"),
 ("notes",["US export-control classification of accelerators under ECCN 3A090, rule set by rule set. Each rule set is complete: the rules in force on a date are the last rule set whose in_force date is on or before it. See docs/export.md."]),
 ("sources",O([
   ("FR2022",O([("title","87 FR 62186 (Oct 13, 2022), FR Doc 2022-21658: Implementation of Additional Export Controls: Certain Advanced Computing and Semiconductor Manufacturing Items (in force 2022-10-21)"),("url","https://www.federalregister.gov/d/2022-21658")])),
   ("STR",O([("title","Sandler, Travis & Rosenberg trade report (Jan 2023): BIS extends the October 2022 advanced computing controls to Macau"),("url","https://www.strtrade.com/trade-news-resources/str-trade-report/trade-report/january/export-controls-on-advanced-computing-and-semiconductor-manufacturing-items-expanded")])),
   ("FR2023",O([("title","88 FR 73458 (Oct 25, 2023), FR Doc 2023-23055: Implementation of Additional Export Controls: Certain Advanced Computing Items (in force 2023-11-17); Technical Notes to 3A090 define TPP and PD"),("url","https://www.federalregister.gov/d/2023-23055")])),
   ("FR2024A",O([("title","89 FR 23876 (Apr 4, 2024): NAC split into NAC and ACA"),("url",None)])),
   ("FR2024D",O([("title","89 FR 96790 (Dec 5, 2024), FR Doc 2024-28270: Foreign-Produced Direct Product Rule Additions, and Refinements to Controls for Advanced Computing (3A090.c)"),("url","https://www.federalregister.gov/d/2024-28270")])),
   ("FR2026",O([("title","91 FR 1684 (Jan 15, 2026): case-by-case review for China and Macau below TPP 21,000 and DRAM bandwidth 6,500 GB/s; seen only in a secondary source"),("url",None)])),
   ("REF",O([("title","chipaudit project reference, shared/reference/export-controls.md (rules over time, definitions, worked H20 example, reported figures)"),("url",None)])),
 ])),
 ("bit_lengths",O([("fp64",64),("fp32",32),("tf32",19),("bf16",16),("fp16",16),("fp8",8),("int8",8),("int4",4),("fp4",4)])),
 ("bit_length_notes",["Bit length of the operation's inputs (FR2023 Technical Notes, as quoted in REF).",
   "TF32 counts 19 bits (1 sign, 8 exponent, 10 mantissa): the reference's TPP for the H100 SXM, 15832, is 989.5 x 16 (and 1979 x 8); TF32 at 32 bits would give 495 x 32 = 15840, more than the reported value, so the reported figures do not count TF32 as 32-bit."]),
 ("bit_length_sources",["FR2023","REF"]),
 ("rule_sets",rule_sets),
 ("notices",notices),
])
def dump(o, ind=0):
  sp="  "*ind
  if isinstance(o, dict):
    if not o: return "{}"
    if len(o)<=3 and all(not isinstance(v,(dict,list)) or (isinstance(v,list) and all(isinstance(x,str) and len(x)<=8 for x in v)) for v in o.values()) and len(json.dumps(o))<100:
      return json.dumps(o, ensure_ascii=False)
    items=[f'{sp}  {json.dumps(k, ensure_ascii=False)}: {dump(v, ind+1)}' for k,v in o.items()]
    return "{\n"+",\n".join(items)+"\n"+sp+"}"
  if isinstance(o, list):
    if not o or all(isinstance(x,str) and len(x)<=12 for x in o):
      return json.dumps(o, ensure_ascii=False)
    items=[f'{sp}  {dump(v, ind+1)}' for v in o]
    return "[\n"+",\n".join(items)+"\n"+sp+"]"
  return json.dumps(o, ensure_ascii=False)
s=dump(doc)
json.loads(s)
open('data/export-rules.json','w').write(s+"\n")
