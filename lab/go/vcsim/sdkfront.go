package main

import (
	"bytes"
	"io"
	"log"
	"net/http"
	"reflect"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
	"github.com/vmware/govmomi/vim25/xml"
)

// vcsim looks SOAP handlers up per session, which leaves no hook to add a method to a
// VirtualMachine. frontSDK sits in front of /sdk ("POST /sdk" beats vcsim's "/sdk" in Go's
// ServeMux), answers QueryChangedDiskAreas itself and hands everything else to vcsim.
func frontSDK(s *simulator.Service, t *tracker) {
	if s.ServeMux == nil {
		s.ServeMux = http.NewServeMux()
	}
	s.ServeMux.HandleFunc("POST /sdk", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		_ = r.Body.Close()
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if bytes.Contains(body, []byte("QueryChangedDiskAreas")) {
			method, err := simulator.UnmarshalBody(types.TypeFunc(), body)
			if err == nil && method.Name == "QueryChangedDiskAreas" {
				answerChangedAreas(w, s, r, t, method.Body.(*types.QueryChangedDiskAreas))
				return
			}
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		s.ServeSDK(w, r)
	})
}

func answerChangedAreas(w http.ResponseWriter, s *simulator.Service, r *http.Request, t *tracker, req *types.QueryChangedDiskAreas) {
	if !sessionCookieOK(s, r) {
		writeSOAP(w, http.StatusInternalServerError, faultBody(&types.NotAuthenticated{
			NoPermission: types.NoPermission{Object: &req.This, PrivilegeId: "VirtualMachine.Provisioning.DiskRandomRead"},
		}, "not authenticated"))
		return
	}
	info, fault := t.changedAreas(req)
	if fault != nil {
		msg := "QueryChangedDiskAreas failed"
		if m := fault.GetMethodFault().FaultMessage; len(m) > 0 {
			msg = m[0].Message
		}
		writeSOAP(w, http.StatusInternalServerError, faultBody(fault, msg))
		return
	}
	writeSOAP(w, http.StatusOK, struct {
		Res *types.QueryChangedDiskAreasResponse `xml:"urn:vim25 QueryChangedDiskAreasResponse"`
	}{&types.QueryChangedDiskAreasResponse{Returnval: *info}})
}

// The envelope and fault shapes mirror what vcsim itself writes.
type envelope struct {
	XMLName xml.Name `xml:"soapenv:Envelope"`
	Enc     string   `xml:"xmlns:soapenc,attr"`
	Env     string   `xml:"xmlns:soapenv,attr"`
	XSD     string   `xml:"xmlns:xsd,attr"`
	XSI     string   `xml:"xmlns:xsi,attr"`
	Body    any      `xml:"soapenv:Body"`
}

type soapFault struct {
	XMLName xml.Name `xml:"soapenv:Fault"`
	Code    string   `xml:"faultcode"`
	String  string   `xml:"faultstring"`
	Detail  struct {
		Fault *faultDetail
	} `xml:"detail"`
}

type faultDetail struct{ Fault types.BaseMethodFault }

// MarshalXML names the detail "<Type>Fault" with xsi:type, as vSphere does.
func (d *faultDetail) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	kind := reflect.TypeOf(d.Fault).Elem().Name()
	start.Name.Local = kind + "Fault"
	start.Attr = append(start.Attr,
		xml.Attr{Name: xml.Name{Local: "xmlns"}, Value: "urn:vim25"},
		xml.Attr{Name: xml.Name{Local: "xsi:type"}, Value: kind})
	return e.EncodeElement(d.Fault, start)
}

func faultBody(fault types.BaseMethodFault, msg string) any {
	f := soapFault{Code: "ServerFaultCode", String: msg}
	f.Detail.Fault = &faultDetail{fault}
	return struct{ Fault soapFault }{f}
}

func writeSOAP(w http.ResponseWriter, status int, body any) {
	var out bytes.Buffer
	out.WriteString(xml.Header)
	err := xml.NewEncoder(&out).Encode(&envelope{
		Enc:  "http://schemas.xmlsoap.org/soap/encoding/",
		Env:  "http://schemas.xmlsoap.org/soap/envelope/",
		XSD:  "http://www.w3.org/2001/XMLSchema",
		XSI:  "http://www.w3.org/2001/XMLSchema-instance",
		Body: body,
	})
	if err != nil {
		log.Printf("encoding SOAP response: %s", err)
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(out.Bytes())
}
